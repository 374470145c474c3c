"""Devices report here (R32): ``POST /devices/readings`` takes a batch of heartbeats and
counter readings, with a token that has the ``devices`` scope. Each item is judged on its own
(``devices.services.readings_ingest``); the answer lists every item's result."""

from datetime import datetime

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel

from ayuda.devices.services import HeartbeatIn, ReadingIn, readings_ingest

from .auth import DeviceTokenAuth
from .problems import ERRORS, Problem, problem

router = Router(tags=["devices"], auth=DeviceTokenAuth())

Serial = Field(min_length=1, max_length=100, examples=["PC-000123"])


# The items are plain pydantic models, not ninja Schemas: a ninja Schema runs a Python
# validator per object (for ORM attributes), a third of a 5,000-item batch's time.


class Heartbeat(BaseModel):
    serial: str = Serial
    at: datetime = Field(description="When the device was last seen, with its time zone.")


class ReadingItem(BaseModel):
    serial: str = Serial
    period_start: datetime = Field(examples=["2026-11-30T09:00:00Z"])
    period_end: datetime = Field(examples=["2026-11-30T09:15:00Z"])
    count_in: int = Field(alias="in", description="People counted in.", examples=[12])
    count_out: int = Field(alias="out", description="People counted out.", examples=[9])


class Batch(Schema):
    heartbeats: list[Heartbeat] = []
    readings: list[ReadingItem] = []

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "heartbeats": [{"serial": "PC-000123", "at": "2026-11-30T09:16:02Z"}],
                    "readings": [
                        {
                            "serial": "PC-000123",
                            "period_start": "2026-11-30T09:00:00Z",
                            "period_end": "2026-11-30T09:15:00Z",
                            "in": 12,
                            "out": 9,
                        }
                    ],
                }
            ]
        }
    }


class ItemResult(BaseModel):
    index: int = Field(description="The item's position in its list, from 0.")
    serial: str
    status: str = Field(description="accepted, duplicate (accepted, nothing changed) or refused.")
    code: str = Field(
        description="accepted, duplicate, or why it was refused: unknown_serial, "
        "other_organisation, retired, negative_count, count_too_large, bad_period, future, "
        "too_old, no_time_zone, overlap (docs/api.md)."
    )
    detail: str = Field(description="The reason, in the caller's language; empty if accepted.")


class Totals(BaseModel):
    accepted: int
    duplicate: int
    refused: int


class BatchResult(Schema):
    heartbeats: list[ItemResult]
    readings: list[ItemResult]
    totals: Totals

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "heartbeats": [
                        {
                            "index": 0,
                            "serial": "PC-000123",
                            "status": "accepted",
                            "code": "accepted",
                            "detail": "",
                        }
                    ],
                    "readings": [
                        {
                            "index": 0,
                            "serial": "PC-000999",
                            "status": "refused",
                            "code": "unknown_serial",
                            "detail": "There is no device with this serial number.",
                        }
                    ],
                    "totals": {"accepted": 1, "duplicate": 0, "refused": 1},
                }
            ]
        }
    }


@router.post(
    "/readings",
    response={200: BatchResult, 413: Problem, **ERRORS},
    url_name="device_readings",
    summary="Send heartbeats and counter readings",
    description="A batch of heartbeats and IN/OUT readings, with a token that has the "
    "`devices` scope. Each item is accepted, a duplicate (already received: nothing changes, "
    "so re-sending a batch is safe) or refused with a reason code; a refused item never "
    "blocks the others. A batch of more than `AYUDA_DEVICE_BATCH_MAX` items (5,000) is "
    "refused whole (413).",
)
def device_readings(request, payload: Batch):
    batch = payload
    size = len(batch.heartbeats) + len(batch.readings)
    limit = settings.AYUDA_DEVICE_BATCH_MAX
    if size > limit:
        return problem(
            request,
            status=413,
            kind="too-large",
            detail=_("A batch may carry %(limit)s items at most; this one has %(size)s.")
            % {"limit": limit, "size": size},
        )
    result = readings_ingest(
        user=request.auth,
        heartbeats=[HeartbeatIn(serial=h.serial, at=h.at) for h in batch.heartbeats],
        readings=[
            ReadingIn(
                serial=r.serial,
                period_start=r.period_start,
                period_end=r.period_end,
                count_in=r.count_in,
                count_out=r.count_out,
            )
            for r in batch.readings
        ],
    )
    # Answered as is (the schema above documents it): validating 5,000 results again
    # against their own schema would only cost time.
    return JsonResponse(
        {
            "heartbeats": [vars(item) for item in result.heartbeats],
            "readings": [vars(item) for item in result.readings],
            "totals": result.totals(),
        }
    )
