"""The demo's device health checks (R33): the seed's two examples ("Suspected offline devices"
after 3 days, "IN/OUT discrepancy" over 10 %) and zero traffic, each raising incidents in its
own category under "People counter", with messages in Spanish, Italian and English."""

# (name, parent, team, translations): categories without required form fields, so a site's
# incident (which has no serial number) can be raised in them.
HEALTH_CATEGORIES = [
    (
        "Device offline",
        "People counter",
        "Infrastructure",
        {"es": "Dispositivo sin conexión", "it": "Dispositivo offline"},
    ),
    (
        "IN/OUT discrepancy",
        "People counter",
        "Infrastructure",
        {"es": "Descuadre de entradas y salidas", "it": "Discrepanza ingressi/uscite"},
    ),
    (
        "No traffic counted",
        "People counter",
        "Infrastructure",
        {"es": "Sin tráfico contado", "it": "Nessun passaggio contato"},
    ),
]

SCAN_RULES = [
    {
        "name": "Suspected offline devices",
        "kind": "device_silent",
        "threshold": 3,
        "every_minutes": 15,
        "category": "Device offline",
        "priority": 3,
        "healthy_scans_to_recover": 2,
        "on_recovery": "resolve",
        "message_es": (
            "El contador {device} ({serial}) de {site} lleva {days_silent} días sin enviar "
            "latidos (último: {last_heartbeat})."
        ),
        "message_it": (
            "Il conta persone {device} ({serial}) di {site} non invia heartbeat da "
            "{days_silent} giorni (ultimo: {last_heartbeat})."
        ),
        "message_en": (
            "People counter {device} ({serial}) at {site} has sent no heartbeat for "
            "{days_silent} days (last: {last_heartbeat})."
        ),
    },
    {
        "name": "IN/OUT discrepancy",
        "kind": "in_out_discrepancy",
        "threshold": 10,
        "every_minutes": 60,
        "category": "IN/OUT discrepancy",
        "priority": 2,
        "healthy_scans_to_recover": 1,
        "on_recovery": "review",
        "message_es": (
            "En {site}, el {day} las entradas ({in}) y las salidas ({out}) difieren un "
            "{difference} % (más del {threshold} %)."
        ),
        "message_it": (
            "A {site}, il {day} ingressi ({in}) e uscite ({out}) differiscono del "
            "{difference}% (più del {threshold}%)."
        ),
        "message_en": (
            "At {site}, on {day} IN ({in}) and OUT ({out}) differ by {difference}% "
            "(more than {threshold}%)."
        ),
    },
    {
        "name": "Zero traffic",
        "kind": "zero_traffic",
        "threshold": 0,
        "every_minutes": 60,
        "category": "No traffic counted",
        "priority": 2,
        "healthy_scans_to_recover": 1,
        "on_recovery": "resolve",
        "message_es": (
            "El contador {device} ({serial}) de {site} envió {heartbeats} latidos el {day} "
            "pero no contó a nadie con la tienda abierta."
        ),
        "message_it": (
            "Il conta persone {device} ({serial}) di {site} ha inviato {heartbeats} heartbeat "
            "il {day} ma non ha contato nessuno con il negozio aperto."
        ),
        "message_en": (
            "People counter {device} ({serial}) at {site} sent {heartbeats} heartbeats on {day} "
            "but counted nobody while the shop was open."
        ),
    },
]
