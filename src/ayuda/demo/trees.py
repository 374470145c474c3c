"""The demo's decision trees (R18), in English, Spanish and Italian: "Printer does not print"
(yes/no questions three deep, walked in the portal too) and "People counter shows wrong
figures" (a multiple-choice first question, for the help desk). Each is published through
``tree_publish``, so the demo's trees pass the same check as an administrator's. Keyed by
category name (created if missing); loading twice changes nothing."""

from ayuda.knowledge.models import (
    DecisionTree,
    NodeKind,
    TreeAudience,
    TreeChoice,
    TreeNode,
)
from ayuda.knowledge.trees_services import tree_publish
from ayuda.tickets.models import Category

Q, SOLUTION, ESCALATE = NodeKind.QUESTION, NodeKind.SOLUTION, NodeKind.ESCALATE
YES = ("Yes", "Sí", "Sì")
NO = ("No", "No", "No")

PRINTER = {
    "name": ("Printer does not print", "La impresora no imprime", "La stampante non stampa"),
    "description": (
        "Three questions find most printing problems before anyone travels to the shop.",
        "Tres preguntas encuentran la mayoría de los problemas de impresión antes de que "
        "nadie vaya a la tienda.",
        "Tre domande trovano la maggior parte dei problemi di stampa prima che qualcuno vada "
        "in negozio.",
    ),
    "category": "Printer",
    "audience": TreeAudience.EVERYONE,
    "nodes": [
        (
            "power",
            Q,
            (
                "Is the printer switched on (a light on its panel is lit)?",
                "¿Está encendida la impresora (hay una luz encendida en su panel)?",
                "La stampante è accesa (una spia del pannello è illuminata)?",
            ),
        ),
        (
            "error",
            Q,
            (
                "Does the panel show an error light or a message?",
                "¿El panel muestra una luz de error o un mensaje?",
                "Il pannello mostra una spia di errore o un messaggio?",
            ),
        ),
        (
            "paper",
            Q,
            (
                "Does the message say the paper is jammed or the tray is empty?",
                "¿El mensaje dice que hay un atasco de papel o que la bandeja está vacía?",
                "Il messaggio dice che la carta è inceppata o che il cassetto è vuoto?",
            ),
        ),
        (
            "others",
            Q,
            (
                "Do other people's documents print on it?",
                "¿Se imprimen en ella los documentos de otras personas?",
                "Da altri computer si riesce a stampare?",
            ),
        ),
        (
            "switch_on",
            SOLUTION,
            (
                "Press the power button and wait until the light stops blinking (about a "
                "minute). If it stays off, check that the cable is in the socket and that the "
                "socket works with another device.",
                "Pulse el botón de encendido y espere a que la luz deje de parpadear (cerca de "
                "un minuto). Si sigue apagada, compruebe que el cable está enchufado y que el "
                "enchufe funciona con otro aparato.",
                "Premi il pulsante di accensione e attendi che la spia smetta di lampeggiare "
                "(circa un minuto). Se resta spenta, verifica che il cavo sia nella presa e che "
                "la presa funzioni con un altro apparecchio.",
            ),
        ),
        (
            "clear_paper",
            SOLUTION,
            (
                "Open the front cover, pull out any jammed sheet gently with both hands, close "
                "the cover and fill the tray with paper. The printer resumes on its own.",
                "Abra la tapa delantera, retire con cuidado y con las dos manos la hoja "
                "atascada, cierre la tapa y llene la bandeja de papel. La impresora continúa "
                "sola.",
                "Apri lo sportello frontale, estrai con delicatezza e con entrambe le mani il "
                "foglio inceppato, chiudi lo sportello e riempi il cassetto di carta. La "
                "stampante riprende da sola.",
            ),
        ),
        (
            "queue",
            SOLUTION,
            (
                "Your computer's print queue is stuck. Open Printers, cancel every document "
                "waiting, restart the computer and print again.",
                "La cola de impresión de su ordenador está bloqueada. Abra Impresoras, cancele "
                "todos los documentos en espera, reinicie el ordenador y vuelva a imprimir.",
                "La coda di stampa del computer è bloccata. Apri Stampanti, annulla tutti i "
                "documenti in attesa, riavvia il computer e stampa di nuovo.",
            ),
        ),
        (
            "fault",
            ESCALATE,
            (
                "The printer reports a fault a technician must look at.",
                "La impresora indica una avería que debe revisar un técnico.",
                "La stampante segnala un guasto che deve vedere un tecnico.",
            ),
        ),
        (
            "offline",
            ESCALATE,
            (
                "Nobody can print: the printer is probably off the network.",
                "Nadie puede imprimir: probablemente la impresora está fuera de la red.",
                "Nessuno riesce a stampare: probabilmente la stampante è fuori rete.",
            ),
        ),
    ],
    "choices": [
        ("power", YES, "error"),
        ("power", NO, "switch_on"),
        ("error", YES, "paper"),
        ("error", NO, "others"),
        ("paper", YES, "clear_paper"),
        ("paper", NO, "fault"),
        ("others", YES, "queue"),
        ("others", NO, "offline"),
    ],
}

COUNTER = {
    "name": (
        "People counter shows wrong figures",
        "El contador de personas da cifras erróneas",
        "Il conta persone dà numeri sbagliati",
    ),
    "description": (
        "For a call about a counter's figures: what looks wrong decides what to check.",
        "Para una llamada sobre las cifras de un contador: lo que parece mal decide qué revisar.",
        "Per una chiamata sui numeri di un conta persone: ciò che sembra sbagliato decide "
        "cosa controllare.",
    ),
    "category": "People counter",
    "audience": TreeAudience.AGENTS,
    "nodes": [
        (
            "what",
            Q,
            (
                "What looks wrong in the figures?",
                "¿Qué parece incorrecto en las cifras?",
                "Cosa sembra sbagliato nei numeri?",
            ),
        ),
        (
            "light",
            Q,
            (
                "Is the device's status light on?",
                "¿Está encendida la luz de estado del dispositivo?",
                "La spia di stato del dispositivo è accesa?",
            ),
        ),
        (
            "in_view",
            Q,
            (
                "Is anything hanging or moving in front of the sensor (signs, doors, decorations)?",
                "¿Hay algo colgado o en movimiento delante del sensor (carteles, puertas, "
                "decoración)?",
                "C'è qualcosa di appeso o in movimento davanti al sensore (cartelli, porte, "
                "decorazioni)?",
            ),
        ),
        (
            "door",
            Q,
            (
                "Do customers also use a door without a counter?",
                "¿Los clientes usan también una puerta sin contador?",
                "I clienti usano anche una porta senza conta persone?",
            ),
        ),
        (
            "power",
            SOLUTION,
            (
                "Unplug the counter's power for ten seconds and plug it back; the light comes "
                "on within a minute and counting resumes within five.",
                "Desconecte la alimentación del contador diez segundos y vuelva a conectarla; "
                "la luz se enciende en un minuto y el conteo se reanuda en cinco.",
                "Stacca l'alimentazione del conta persone per dieci secondi e ricollegala; la "
                "spia si accende entro un minuto e il conteggio riprende entro cinque.",
            ),
        ),
        (
            "clear_view",
            SOLUTION,
            (
                "Move what is in the sensor's view at least one metre away; figures are right "
                "again from the next hour.",
                "Aleje al menos un metro lo que está en el campo del sensor; las cifras vuelven "
                "a ser correctas desde la hora siguiente.",
                "Sposta ad almeno un metro ciò che è nel campo del sensore; i numeri tornano "
                "corretti dall'ora successiva.",
            ),
        ),
        (
            "other_door",
            SOLUTION,
            (
                "The figures are right for the doors that have a counter: close the other door "
                "to customers, or ask for a counter there as an improvement.",
                "Las cifras son correctas para las puertas con contador: cierre la otra puerta "
                "a los clientes o solicite un contador para ella como mejora.",
                "I numeri sono corretti per le porte con conta persone: chiudi l'altra porta ai "
                "clienti o chiedi un conta persone anche lì come miglioria.",
            ),
        ),
        (
            "sensor",
            ESCALATE,
            (
                "The sensor itself misreads: infrastructure must check its calibration.",
                "El propio sensor lee mal: infraestructura debe revisar su calibración.",
                "È il sensore a leggere male: l'infrastruttura deve verificarne la taratura.",
            ),
        ),
    ],
    "choices": [
        (
            "what",
            ("It counts nobody", "No cuenta a nadie", "Non conta nessuno"),
            "light",
        ),
        ("what", ("It counts too many", "Cuenta de más", "Conta troppo"), "in_view"),
        (
            "what",
            (
                "IN and OUT do not match",
                "Entradas y salidas no cuadran",
                "Ingressi e uscite non tornano",
            ),
            "door",
        ),
        ("light", YES, "sensor"),
        ("light", NO, "power"),
        ("in_view", YES, "clear_view"),
        ("in_view", NO, "sensor"),
        ("door", YES, "other_door"),
        ("door", NO, "sensor"),
    ],
}

TREES = [PRINTER, COUNTER]


def _i18n(texts) -> tuple[str, dict]:
    en, es, it = texts
    return en, {"es": es, "it": it}


def trees_load() -> int:
    """Create and publish the trees of ``TREES`` that do not exist yet; returns how many."""
    created = 0
    for spec in TREES:
        name, name_i18n = _i18n(spec["name"])
        if DecisionTree.objects.filter(name=name).exists():
            continue
        category = Category.objects.filter(name=spec["category"]).order_by("pk").first()
        if category is None:
            category = Category.objects.create(name=spec["category"])
        description, description_i18n = _i18n(spec["description"])
        tree = DecisionTree.objects.create(
            name=name,
            name_i18n=name_i18n,
            description=description,
            description_i18n=description_i18n,
            category=category,
            audience=spec["audience"],
        )
        nodes = {}
        for position, (key, kind, texts) in enumerate(spec["nodes"], start=1):
            text, text_i18n = _i18n(texts)
            nodes[key] = TreeNode.objects.create(
                tree=tree, key=key, kind=kind, text=text, text_i18n=text_i18n, position=position
            )
        for position, (key, texts, target) in enumerate(spec["choices"], start=1):
            label, label_i18n = _i18n(texts)
            TreeChoice.objects.create(
                node=nodes[key],
                label=label,
                label_i18n=label_i18n,
                next_node=nodes[target],
                position=position,
            )
        tree.root = nodes[spec["nodes"][0][0]]
        tree.save(update_fields=["root"])
        tree_publish(tree=tree)
        created += 1
    return created
