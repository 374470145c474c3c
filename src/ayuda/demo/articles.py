"""The demo's knowledge base (R17): believable articles in Spanish, Italian and English for the
desk's categories, some translated (one family), some internal (agents only), written by the
first-line agents and published by the manager through the real services (versions, review,
the search index). Loading twice changes nothing: a family whose first title exists is kept."""

from datetime import datetime, timedelta

from django.utils import timezone

from ayuda.accounts.models import User
from ayuda.knowledge.articles import (
    article_create,
    article_publish,
    article_submit,
    article_translate,
)
from ayuda.knowledge.models import KbArticle, Visibility
from ayuda.tickets.models import Category

PUBLIC, INTERNAL = Visibility.PUBLIC, Visibility.INTERNAL

# category, visibility, author, published, then (language, title, summary, body) per language
ARTICLES = [
    (
        "Password reset",
        PUBLIC,
        "lucia",
        True,
        [
            (
                "es",
                "Cómo restablecer tu contraseña",
                "Pide un enlace de restablecimiento desde la pantalla de acceso.",
                "<p>En la pantalla de acceso pulsa <strong>¿Has olvidado tu contraseña?</strong>"
                " y escribe tu correo.</p><ol><li>Abre el correo que te enviamos (mira también"
                " en spam).</li><li>Pulsa el enlace antes de 30 minutos.</li><li>Elige una"
                " contraseña de al menos 12 caracteres.</li></ol><p>Si la cuenta está"
                " bloqueada tras varios intentos, espera 15 minutos.</p>",
            ),
            (
                "it",
                "Come reimpostare la password",
                "Chiedi un link di reimpostazione dalla pagina di accesso.",
                "<p>Nella pagina di accesso premi <strong>Password dimenticata?</strong> e"
                " scrivi la tua e-mail.</p><ol><li>Apri l'e-mail che ti inviamo (controlla"
                " anche lo spam).</li><li>Premi il link entro 30 minuti.</li><li>Scegli una"
                " password di almeno 12 caratteri.</li></ol><p>Se l'account è bloccato dopo"
                " vari tentativi, attendi 15 minuti.</p>",
            ),
            (
                "en",
                "How to reset your password",
                "Ask for a reset link from the sign-in page.",
                "<p>On the sign-in page choose <strong>Forgot your password?</strong> and type"
                " your e-mail address.</p><ol><li>Open the mail we send you (check spam"
                " too).</li><li>Follow the link within 30 minutes.</li><li>Choose a password of"
                " at least 12 characters.</li></ol><p>If the account is locked after several"
                " attempts, wait 15 minutes.</p>",
            ),
        ],
    ),
    (
        "Printer",
        PUBLIC,
        "marco",
        True,
        [
            (
                "it",
                "La stampante degli scontrini non stampa",
                "Carta, coperchio e cavo: tre controlli prima di aprire un ticket.",
                "<ol><li>Controlla che il rotolo sia inserito con il lato termico verso"
                " l'esterno.</li><li>Chiudi bene il coperchio finché senti il clic.</li>"
                "<li>Spegni la stampante, controlla il cavo USB e riaccendila.</li></ol>"
                "<p>Se la spia rossa lampeggia, apri un ticket indicando il modello.</p>",
            ),
            (
                "es",
                "La impresora de tickets no imprime",
                "Papel, tapa y cable: tres comprobaciones antes de abrir una incidencia.",
                "<ol><li>Comprueba que el rollo está colocado con la cara térmica hacia"
                " fuera.</li><li>Cierra bien la tapa hasta oír el clic.</li><li>Apaga la"
                " impresora, revisa el cable USB y vuelve a encenderla.</li></ol><p>Si la luz"
                " roja parpadea, abre una incidencia indicando el modelo.</p>",
            ),
            (
                "en",
                "The receipt printer does not print",
                "Paper, cover and cable: three checks before opening a ticket.",
                "<ol><li>Check the roll is loaded with the thermal side facing out.</li>"
                "<li>Close the cover until it clicks.</li><li>Switch the printer off, check"
                " the USB cable and switch it on again.</li></ol><p>If the red light blinks,"
                " open a ticket with the model.</p>",
            ),
        ],
    ),
    (
        "Wi-Fi",
        PUBLIC,
        "lucia",
        True,
        [
            (
                "es",
                "La Wi-Fi de la tienda va lenta o se corta",
                "Reinicia el punto de acceso y comprueba cuántos equipos hay conectados.",
                "<p>Desenchufa el punto de acceso 30 segundos y vuelve a enchufarlo. Los TPV"
                " deben usar la red <code>TIENDA-POS</code>, nunca la de clientes.</p>",
            ),
            (
                "it",
                "Il Wi-Fi del negozio è lento o cade",
                "Riavvia l'access point e controlla quanti dispositivi sono collegati.",
                "<p>Stacca l'access point per 30 secondi e ricollegalo. I terminali POS devono"
                " usare la rete <code>TIENDA-POS</code>, mai quella dei clienti.</p>",
            ),
        ],
    ),
    (
        "People counter",
        PUBLIC,
        "marco",
        True,
        [
            (
                "it",
                "Il conta persone non invia i dati",
                "Di solito è l'alimentazione o la rete: controlla la spia verde.",
                "<p>La spia verde fissa indica che il sensore è acceso e collegato. Se è"
                " spenta, controlla l'alimentatore; se lampeggia, il cavo di rete.</p>"
                "<p>I dati mancanti si recuperano da soli quando il sensore torna in linea.</p>",
            ),
            (
                "es",
                "El contador de personas no envía datos",
                "Casi siempre es la alimentación o la red: mira la luz verde.",
                "<p>La luz verde fija indica que el sensor está encendido y conectado. Si está"
                " apagada, revisa el alimentador; si parpadea, el cable de red.</p><p>Los"
                " datos que faltan se recuperan solos cuando el sensor vuelve a conectarse.</p>",
            ),
        ],
    ),
    (
        "VPN",
        INTERNAL,
        "javier",
        True,
        [
            (
                "en",
                "VPN tunnel down at a store: first-line checks",
                "Agents only: how to tell a provider outage from a router fault.",
                "<p>Open the router's status page from the management network and check the"
                " WAN light.</p><ul><li>WAN down at several stores: provider outage, open a"
                " problem.</li><li>WAN up, tunnel down: restart the tunnel; if it fails, hand"
                " over to Infrastructure with the router's log.</li></ul>",
            ),
        ],
    ),
    (
        "Point of sale app",
        INTERNAL,
        "lucia",
        True,
        [
            (
                "es",
                "El TPV no sincroniza las ventas con la central",
                "Solo agentes: forzar la sincronización y cuándo escalar a nivel 2.",
                "<p>En el TPV abre <em>Mantenimiento → Sincronizar ahora</em>. Si quedan"
                " ventas pendientes más de una hora, escala a nivel 2 con el número de"
                " tienda y la hora de la última venta sincronizada.</p>",
            ),
        ],
    ),
    (
        "Back office web",
        PUBLIC,
        "giulia",
        False,  # still in review: the review queue has something in it
        [
            (
                "en",
                "The back office shows an old version after an update",
                "Clear the browser's cache for the back office.",
                "<p>Press <code>Ctrl+Shift+R</code> (or <code>Cmd+Shift+R</code> on a Mac) on"
                " the back office page. If it still looks old, sign out and in again.</p>",
            ),
        ],
    ),
]


def _users() -> dict[str, User]:
    names = {"manager", *(spec[2] for spec in ARTICLES)}
    return {u.username: u for u in User.objects.filter(username__in=names)}


def articles_load(*, now: datetime | None = None) -> int:
    """Create the demo's articles that do not exist yet; returns how many it created."""
    now = now or timezone.now()
    users = _users()
    manager = users.get("manager")
    created = 0
    for i, (category_name, visibility, author_name, published, texts) in enumerate(ARTICLES):
        author = users.get(author_name)
        if author is None or manager is None:
            continue
        if KbArticle.objects.filter(title=texts[0][1]).exists():
            continue
        category = Category.objects.filter(name=category_name).order_by("pk").first()
        at = now - timedelta(days=30 - i)
        language, title, summary, body = texts[0]
        first = article_create(
            actor=author,
            title=title,
            summary=summary,
            body=body,
            language=language,
            category=category,
            visibility=visibility,
            at=at,
        )
        family = [first]
        for language, title, summary, body in texts[1:]:
            family.append(
                article_translate(
                    article=first,
                    actor=author,
                    language=language,
                    title=title,
                    summary=summary,
                    body=body,
                    at=at + timedelta(hours=1),
                )
            )
        for article in family:
            article_submit(article=article, actor=author, at=at + timedelta(hours=2))
            if published:
                article_publish(article=article, actor=manager, at=at + timedelta(days=1))
        created += len(family)
    return created
