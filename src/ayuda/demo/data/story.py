"""The shape of a demo story: one problem a shop has, told coherently from the first message
to the solution, in the requester's language."""

from dataclasses import dataclass

from ayuda.tickets.models import TicketType


@dataclass(frozen=True)
class Story:
    """What a ticket about one problem says at each step of its life.

    Every text is in the requester's language, except ``vendor_answer``: the vendor (CountCo,
    in London) writes in English. ``{site}`` in a text is replaced by the site's code.
    A story fits a lifecycle only if it has the texts that lifecycle needs (see ``plan``).
    """

    category: str
    subject: str
    description: str
    question: str  # the front line asks the requester something (waits for the answer)
    answer: str  # the requester's answer
    solution: str  # sent to the requester when the ticket is resolved
    type: str = TicketType.INCIDENT
    quick: bool = False  # answerable on the spot, on the phone or at the desk
    monitoring: bool = False  # raised by the device health scan, not by a person
    steps: str = ""  # software: steps to reproduce
    url: str = ""  # software: where it happens
    escalation: str = ""  # the front line's reason to escalate to level 2
    l2_note: str = ""  # level 2's internal finding
    hand_back: str = ""  # level 2's answer to the front line (referral)
    visit: str = ""  # the front line's reason to send a field technician
    vendor_answer: str = ""  # the vendor's answer, in English
