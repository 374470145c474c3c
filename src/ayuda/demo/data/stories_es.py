"""The demo's stories in Spanish: Tiendas Sol's shops."""

from ayuda.tickets.models import TicketType

from .story import Story

STORIES = (
    Story(
        category="People counter",
        subject="El contador de personas no envía datos",
        description="Desde ayer el panel no muestra entradas de la tienda. El contador de la "
        "puerta tiene la luz encendida.",
        question="¿Podéis comprobar que el cable de red del contador está conectado y enviarnos "
        "una foto de sus luces?",
        answer="El cable está bien conectado. Ahora la luz del contador parpadea en naranja.",
        solution="El contador de personas había perdido la configuración de red tras un corte "
        "de luz. Lo hemos actualizado al firmware 2.14 en remoto y ya envía datos; el panel "
        "recuperará las entradas de ayer en la próxima sincronización.",
        vendor_answer="Known fault in firmware 2.13: the counter loses its network settings "
        "after a power cut. Firmware 2.14 fixes it; we pushed it to the device remotely.",
    ),
    Story(
        category="People counter",
        subject="[Monitor] {site}: contador de personas sin latido desde hace 3 días",
        description="El análisis de estado no recibe el latido del contador de personas de "
        "{site} desde hace más de 3 días.",
        question="¿Alguien de la tienda puede mirar si el contador de personas de la entrada "
        "tiene las luces encendidas?",
        answer="Estaba desenchufado: lo desconectaron al limpiar el escaparate. Ya está enchufado.",
        solution="El contador de personas vuelve a enviar su latido desde que se enchufó. "
        "Cerramos la alerta.",
        monitoring=True,
        vendor_answer="The device's logs show it was powered off for 3 days and is healthy "
        "since it came back; no fault on our side.",
    ),
    Story(
        category="People counter",
        subject="[Monitor] {site}: contador de personas con discrepancia ENTRADA/SALIDA del 14 %",
        description="Al cierre del día la diferencia entre entradas y salidas del contador de "
        "personas de {site} fue del 14 % (límite: 10 %).",
        question="¿Se ha movido algo junto a la puerta? Un expositor nuevo cerca del contador "
        "de personas puede cortar la línea de conteo.",
        answer="Sí, el lunes pusimos un expositor de ofertas junto a la entrada.",
        solution="Hemos recalibrado la línea de conteo del contador de personas para que no "
        "cuente a quien se para en el expositor. Ayer la diferencia fue del 3 %.",
        monitoring=True,
        vendor_answer="We recalibrated the counting line remotely to leave out the display "
        "area; yesterday's IN/OUT difference was 3 %.",
    ),
    Story(
        category="Printer",
        subject="La impresora de tickets no imprime",
        description="En la caja 2 la impresora de tickets saca el papel en blanco.",
        question="¿El rollo de la impresora es de papel térmico? Si se coloca al revés, sale "
        "en blanco.",
        answer="Es el rollo que nos mandaron la semana pasada; lo he girado y sigue igual.",
        solution="El rollo de la impresora no era de papel térmico. Con un rollo térmico la "
        "impresora de tickets imprime bien; os enviamos una caja de rollos nuevos.",
        quick=True,
        visit="La impresora no imprime ni con rollo térmico: que pase un técnico por la tienda.",
    ),
    Story(
        category="POS terminal",
        subject="El datáfono de la caja 1 no lee tarjetas con chip",
        description="El datáfono da «error de lectura» con todas las tarjetas con chip; sin "
        "contacto sí funciona.",
        question="¿Habéis limpiado la ranura del datáfono con una tarjeta de limpieza? ¿Pasa "
        "con todas las tarjetas?",
        answer="Lo hemos limpiado y sigue igual, con todas las tarjetas.",
        solution="El lector de chip del datáfono estaba averiado. El técnico ha cambiado el "
        "datáfono de la caja 1 y ya acepta tarjetas con chip.",
        visit="Lector de chip del datáfono averiado: hay que cambiar el equipo en la tienda.",
    ),
    Story(
        category="Point of sale app",
        subject="El TPV se queda bloqueado al cobrar con tarjeta",
        description="Al cobrar con tarjeta, la pantalla del TPV se congela en «Procesando» y "
        "hay que reiniciarlo. Nos pasa varias veces al día.",
        question="¿Qué versión del TPV aparece en Ajustes > Acerca de? ¿Pasa en todas las cajas?",
        answer="La versión 4.3.0 del TPV. Solo en la caja 1, la de la entrada.",
        solution="El bloqueo era un error de la versión 4.3.0 del TPV. Hemos actualizado la "
        "caja a la 4.3.1 y el cobro con tarjeta funciona con normalidad.",
        steps="1. Añadir un artículo\n2. Cobrar con tarjeta\n3. La pantalla se queda en "
        "«Procesando»",
        url="https://tpv.tiendassol.example/caja",
        escalation="Se reproduce con la versión 4.3.0 del TPV: cobrar con tarjeta bloquea la "
        "aplicación. Necesita a Aplicaciones.",
        l2_note="Reproducido en pruebas: la 4.3.0 espera al datáfono sin límite de tiempo.",
        hand_back="Error conocido de la 4.3.0 del TPV: que actualicen a la 4.3.1 desde "
        "Ajustes > Actualizar.",
    ),
    Story(
        category="Back office web",
        subject="Error al exportar el informe de ventas",
        description="Al pulsar Exportar en el informe de ventas del mes pasado sale «Error 500».",
        question="¿Os pasa al exportar el informe de otros meses o solo el del mes pasado?",
        answer="Solo con el mes pasado; el informe de octubre se exporta bien.",
        solution="Una venta del día 12 se había guardado sin importe y rompía la exportación "
        "del informe. La hemos corregido y el informe de ventas ya se exporta.",
        steps="1. Informes > Ventas\n2. Elegir el mes pasado\n3. Pulsar Exportar",
        url="https://backoffice.tiendassol.example/informes/ventas",
        escalation="Error 500 al exportar un mes concreto del informe de ventas; el resto se "
        "exporta. Parece un dato que rompe la exportación.",
        l2_note="En los registros: una venta sin importe del día 12 rompe la exportación.",
        hand_back="Hemos corregido la venta sin importe del día 12; que prueben a exportar.",
    ),
    Story(
        category="Back office web",
        subject="Mejora: filtrar el informe de ventas por semana",
        description="En el back office nos vendría bien ver el informe de ventas por semana, "
        "no solo por mes.",
        question="¿Necesitáis el informe por semanas de lunes a domingo o por semana comercial?",
        answer="De lunes a domingo, como los turnos.",
        solution="Desde la versión 5.0 del back office, el informe de ventas tiene un filtro "
        "«Semana» (de lunes a domingo).",
        type=TicketType.IMPROVEMENT,
        steps="1. Informes > Ventas\n2. Solo se puede elegir un mes",
        url="https://backoffice.tiendassol.example/informes/ventas",
        escalation="Petición de mejora del informe de ventas del back office: filtro semanal.",
        l2_note="El filtro semanal del informe de ventas entra en la versión 5.0.",
        hand_back="El filtro «Semana» del informe de ventas ya está en la 5.0 del back office.",
    ),
    Story(
        category="Wi-Fi",
        subject="El wifi de la tienda va muy lento por la tarde",
        description="Por la tarde los terminales de inventario tardan minutos en sincronizar "
        "por wifi.",
        question="¿A qué hora empieza a ir lento el wifi? ¿Hay mucha gente en el wifi de clientes?",
        answer="Sobre las cinco, cuando se llena la tienda.",
        solution="El wifi de clientes se llevaba el ancho de banda de los terminales. Lo hemos "
        "limitado y los terminales vuelven a sincronizar por wifi en segundos.",
        escalation="Wifi saturado en horas punta: el wifi de clientes comparte el ancho de "
        "banda con los terminales.",
        l2_note="El punto de acceso da todo el ancho de banda al wifi de clientes.",
        hand_back="Hemos limitado el wifi de clientes y dado prioridad a la red de terminales.",
    ),
    Story(
        category="VPN",
        subject="La VPN del portátil no conecta desde casa",
        description="Desde casa la VPN da «No se pudo establecer el túnel» y no puedo revisar "
        "los pedidos.",
        question="¿Tienes internet con normalidad? ¿Desde cuándo falla la VPN?",
        answer="Internet va bien. La VPN falla desde el día 1.",
        solution="Tu certificado de VPN había caducado el día 1. Lo hemos renovado: importa el "
        "perfil nuevo que te hemos enviado y la VPN conectará.",
        escalation="La VPN no establece el túnel con internet correcto; revisar el certificado.",
        l2_note="Su certificado de VPN caducó el día 1; emitido uno nuevo.",
        hand_back="Certificado de VPN renovado; que importe el perfil nuevo.",
    ),
    Story(
        category="Password reset",
        subject="No puedo entrar en el back office: contraseña caducada",
        description="Me dice que la contraseña ha caducado y no me deja cambiarla.",
        question="¿Te llega el correo para restablecer la contraseña?",
        answer="No me ha llegado nada, ni en la carpeta de spam.",
        solution="Hemos restablecido tu contraseña del back office y te hemos enviado una "
        "temporal por SMS; al entrar te pedirá una nueva.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
    ),
    Story(
        category="Accounts and access",
        subject="Alta de usuario para una dependienta nueva",
        description="El lunes entra Laura Méndez en {site}. Necesita usuario para el TPV y el "
        "back office.",
        question="¿Qué perfil de usuario necesita en el back office: dependienta o encargada?",
        answer="Perfil de dependienta.",
        solution="Hemos creado el usuario lmendez con perfil de dependienta en el TPV y el back "
        "office; su contraseña temporal se la da la encargada.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
    ),
    Story(
        category="Hardware",
        subject="Necesitamos otro lector de códigos de barras",
        description="En el almacén de {site} solo tenemos un lector de códigos de barras y se "
        "forman colas al recibir pedidos.",
        question="¿Queréis el lector de códigos de barras con cable o inalámbrico?",
        answer="Inalámbrico, para moverlo por el almacén.",
        solution="Os enviamos un lector de códigos de barras inalámbrico ya emparejado con el "
        "TPV del almacén; llega el jueves.",
        type=TicketType.SERVICE_REQUEST,
    ),
)
