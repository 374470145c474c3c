"""The demo's category guides (R14): a first-line questionnaire and troubleshooting steps in
English, Spanish and Italian for the device-health categories the scan rules raise incidents
in. Keyed by category name; a category that does not exist yet is created (by name), so this
runs whichever of the demo's parts created the categories first. Loading twice changes
nothing: a category that already has a guide keeps it."""

from ayuda.knowledge.models import Guide, GuideQuestion, GuideStep, QuestionKind
from ayuda.tickets.models import Category

YES_NO, CHOICE, TEXT, NUMBER = (
    QuestionKind.YES_NO,
    QuestionKind.CHOICE,
    QuestionKind.TEXT,
    QuestionKind.NUMBER,
)


def _q(key, kind, en, es, it, *, required=False, choices=None, help=None):
    return {
        "key": key,
        "kind": kind,
        "label": (en, es, it),
        "required": required,
        "choices": choices,
        "help": help,
    }


NOTES = _q(
    "notes",
    TEXT,
    "Anything else we should know?",
    "¿Algo más que debamos saber?",
    "C'è altro che dovremmo sapere?",
)
WORKS = _q(
    "works",
    YES_NO,
    "Has there been construction or refurbishment at the entrance?",
    "¿Ha habido obras o reformas en la entrada?",
    "Ci sono stati lavori o ristrutturazioni all'ingresso?",
)
SHOP_OPEN = _q(
    "shop_open",
    YES_NO,
    "Has the shop been open as usual?",
    "¿La tienda ha abierto con normalidad?",
    "Il negozio è stato aperto come al solito?",
    required=True,
)

GUIDES = {
    "Device offline": {
        "name": {
            "es": "Dispositivo sin conexión",
            "it": "Dispositivo offline",
        },
        "intro": (
            "The counter stopped reporting. Most of the time it has lost power or its network "
            "connection: a few checks on site usually find it.",
            "El contador ha dejado de comunicar. Casi siempre ha perdido la corriente o la "
            "conexión de red: unas comprobaciones en la tienda suelen encontrar la causa.",
            "Il conta persone ha smesso di comunicare. Quasi sempre ha perso l'alimentazione "
            "o la connessione di rete: qualche verifica in negozio di solito trova la causa.",
        ),
        "questions": [
            _q(
                "powered",
                YES_NO,
                "Is the device powered (its light is on)?",
                "¿El dispositivo tiene corriente (su luz está encendida)?",
                "Il dispositivo è alimentato (la spia è accesa)?",
                required=True,
            ),
            _q(
                "cable",
                CHOICE,
                "Is the network cable plugged in?",
                "¿Está conectado el cable de red?",
                "Il cavo di rete è collegato?",
                required=True,
                choices=(
                    "Plugged in\nUnplugged\nI cannot see it",
                    "Conectado\nDesconectado\nNo lo veo",
                    "Collegato\nScollegato\nNon lo vedo",
                ),
            ),
            SHOP_OPEN,
            WORKS,
            NOTES,
        ],
        "steps": [
            (
                "Check that the device's light is on; if not, check its power supply and socket.",
                "Compruebe que la luz del dispositivo está encendida; si no, revise su "
                "alimentador y el enchufe.",
                "Verifica che la spia del dispositivo sia accesa; se no, controlla "
                "l'alimentatore e la presa.",
            ),
            (
                "Check that the network cable is firmly plugged into the device and into the "
                "router or switch.",
                "Compruebe que el cable de red está bien conectado al dispositivo y al router "
                "o switch.",
                "Verifica che il cavo di rete sia ben collegato al dispositivo e al router o "
                "switch.",
            ),
            (
                "Unplug the power for ten seconds, plug it back and wait five minutes.",
                "Desconecte la corriente diez segundos, vuelva a conectarla y espere cinco "
                "minutos.",
                "Stacca l'alimentazione per dieci secondi, ricollegala e attendi cinque minuti.",
            ),
            (
                "Still silent? Answer the questions and add a photo of the device and its cables.",
                "¿Sigue sin comunicar? Responda a las preguntas y añada una foto del dispositivo "
                "y sus cables.",
                "Ancora in silenzio? Rispondi alle domande e aggiungi una foto del dispositivo e "
                "dei suoi cavi.",
            ),
        ],
    },
    "IN/OUT discrepancy": {
        "name": {"es": "Discrepancia ENTRADAS/SALIDAS", "it": "Discrepanza INGRESSI/USCITE"},
        "intro": (
            "The site's IN and OUT counts no longer add up. Something at an entrance changes "
            "what a sensor sees, or people use a door without a counter.",
            "Las entradas y salidas de la sede ya no cuadran. Algo en una entrada cambia lo que "
            "ve un sensor, o se usa una puerta sin contador.",
            "Gli ingressi e le uscite della sede non tornano più. Qualcosa a un ingresso cambia "
            "ciò che vede un sensore, oppure si usa una porta senza conta persone.",
        ),
        "questions": [
            _q(
                "blocked",
                YES_NO,
                "Is anything in the sensor's view (signs, displays, decorations)?",
                "¿Hay algo delante del sensor (carteles, expositores, decoración)?",
                "C'è qualcosa davanti al sensore (cartelli, espositori, decorazioni)?",
                required=True,
            ),
            _q(
                "entrance",
                CHOICE,
                "Which entrance looks affected?",
                "¿Qué entrada parece afectada?",
                "Quale ingresso sembra interessato?",
                choices=(
                    "Main entrance\nSide entrance\nStaff or loading door\nI don't know",
                    "Entrada principal\nEntrada lateral\nPuerta de personal o de carga\nNo lo sé",
                    "Ingresso principale\nIngresso laterale\nPorta del personale o di carico\n"
                    "Non lo so",
                ),
            ),
            WORKS,
            _q(
                "other_door",
                YES_NO,
                "Do customers also leave by a door without a counter?",
                "¿Los clientes salen también por una puerta sin contador?",
                "I clienti escono anche da una porta senza conta persone?",
            ),
            NOTES,
        ],
        "steps": [
            (
                "Check that nothing hangs or stands in front of the sensor.",
                "Compruebe que nada cuelga ni está delante del sensor.",
                "Verifica che nulla sia appeso o posizionato davanti al sensore.",
            ),
            (
                "Check that the device has not been moved or turned (cleaning, works).",
                "Compruebe que el dispositivo no se ha movido ni girado (limpieza, obras).",
                "Verifica che il dispositivo non sia stato spostato o ruotato (pulizie, lavori).",
            ),
            (
                "Tell us if a door without a counter was opened to customers.",
                "Indíquenos si se ha abierto a los clientes una puerta sin contador.",
                "Segnalaci se è stata aperta ai clienti una porta senza conta persone.",
            ),
        ],
    },
    "No traffic counted": {
        "name": {"es": "Sin tráfico contado", "it": "Nessun passaggio contato"},
        "intro": (
            "The counter is online but counted nobody on a day the shop was open.",
            "El contador está en línea pero no contó a nadie un día en que la tienda abrió.",
            "Il conta persone è online ma non ha contato nessuno in un giorno di apertura.",
        ),
        "questions": [
            SHOP_OPEN,
            _q(
                "visitors",
                NUMBER,
                "Roughly how many visitors did you have that day?",
                "¿Cuántos visitantes tuvo aproximadamente ese día?",
                "Quanti visitatori avete avuto più o meno quel giorno?",
                help=(
                    "An estimate is fine.",
                    "Basta una estimación.",
                    "Basta una stima.",
                ),
            ),
            _q(
                "covered",
                YES_NO,
                "Is the sensor covered or pointing away from the door?",
                "¿El sensor está tapado o apunta lejos de la puerta?",
                "Il sensore è coperto o rivolto lontano dalla porta?",
                required=True,
            ),
            WORKS,
            NOTES,
        ],
        "steps": [
            (
                "Check that the sensor is uncovered and points at the entrance.",
                "Compruebe que el sensor no está tapado y apunta a la entrada.",
                "Verifica che il sensore non sia coperto e sia rivolto verso l'ingresso.",
            ),
            (
                "Walk in and out under the sensor twice and note the time: we will look for it.",
                "Entre y salga dos veces bajo el sensor y anote la hora: la buscaremos.",
                "Entra ed esci due volte sotto il sensore e annota l'ora: la cercheremo.",
            ),
        ],
    },
}


def _i18n(texts) -> tuple[str, dict]:
    en, es, it = texts
    return en, {"es": es, "it": it}


def guides_load() -> int:
    """Create the guides of ``GUIDES`` that do not exist yet; returns how many it created."""
    created = 0
    for name, spec in GUIDES.items():
        category = Category.objects.filter(name=name).order_by("pk").first()
        if category is None:
            category = Category.objects.create(name=name, name_i18n=spec["name"])
        if Guide.objects.filter(category=category).exists():
            continue
        intro, intro_i18n = _i18n(spec["intro"])
        guide = Guide.objects.create(category=category, intro=intro, intro_i18n=intro_i18n)
        for position, q in enumerate(spec["questions"], start=1):
            label, label_i18n = _i18n(q["label"])
            help_text, help_i18n = _i18n(q["help"]) if q["help"] else ("", {})
            choices, choices_i18n = _i18n(q["choices"]) if q["choices"] else ("", {})
            question = GuideQuestion(
                guide=guide,
                key=q["key"],
                kind=q["kind"],
                label=label,
                label_i18n=label_i18n,
                help=help_text,
                help_i18n=help_i18n,
                choices=choices,
                choices_i18n=choices_i18n,
                required=q["required"],
                position=position,
            )
            question.full_clean()  # the demo's data obeys the admin's rules
            question.save()
        for position, texts in enumerate(spec["steps"], start=1):
            text, text_i18n = _i18n(texts)
            GuideStep.objects.create(guide=guide, text=text, text_i18n=text_i18n, position=position)
        created += 1
    return created
