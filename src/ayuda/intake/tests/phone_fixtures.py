"""The phone-system fixture files and the sources that read them."""

from pathlib import Path

from ayuda.intake.phone.models import CallSource, SourceKind

FIXTURES = Path(__file__).parent / "fixtures" / "phone"

SPANISH_MAPPING = {
    "columns": {
        "id": "Id", "arrived_at": "Fecha", "queue": "Cola", "caller": "Llamante",
        "agent": "Agente", "waited": "Espera", "talk": "Conversación", "outcome": "Resultado",
    },
    "date_format": "%d/%m/%Y %H:%M:%S",
    "delimiter": ";",
    "encoding": "cp1252",
    "outcome_values": {"Atendida": "answered", "Abandonada": "abandoned",
                       "Sin respuesta": "timeout"},
}  # fmt: skip

ENGLISH_MAPPING = {
    "columns": {
        "id": "call_id", "arrived_at": "started", "queue": "queue", "caller": "from",
        "agent": "agent", "waited": "wait", "talk": "talk", "outcome": "result",
    },
    "date_format": "%Y-%m-%d %H:%M:%S",
}  # fmt: skip


def phone_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def source_make(kind: str = SourceKind.ASTERISK_QUEUE_LOG, **kwargs) -> CallSource:
    kwargs.setdefault("name", f"PBX {kind}")
    kwargs.setdefault("timezone", "Europe/Madrid")
    return CallSource.objects.create(kind=kind, **kwargs)
