"""The demo's stories in English: Studio Rossi's English-speaking staff."""

from ayuda.tickets.models import TicketType

from .story import Story

STORIES = (
    Story(
        category="People counter",
        subject="People counter shows zero visitors",
        description="Since this morning the people counter at the entrance reports zero "
        "visitors on the dashboard.",
        question="Could you check that the people counter's network cable is plugged in and "
        "send us a photo of its lights?",
        answer="The cable is plugged in. The counter's light is now blinking orange.",
        solution="The people counter had lost its network settings after a power cut. We "
        "updated it remotely to firmware 2.14 and it sends data again; the dashboard will fill "
        "in this morning's visitors at the next sync.",
        vendor_answer="Known fault in firmware 2.13: the counter loses its network settings "
        "after a power cut. Firmware 2.14 fixes it; we pushed it to the device remotely.",
    ),
    Story(
        category="Printer",
        subject="Receipt printer prints blank receipts",
        description="The receipt printer at till 2 prints blank paper.",
        question="Is the printer's roll thermal paper? A roll put in the wrong way round "
        "prints blank.",
        answer="It is the roll we got last week; I turned it round and it is the same.",
        solution="The printer's roll was not thermal paper. With a thermal roll the receipt "
        "printer prints fine; we are sending you a box of new rolls.",
        quick=True,
        visit="The printer prints blank even with thermal paper: send a technician to the shop.",
    ),
    Story(
        category="Back office web",
        subject="Monthly report export fails",
        description="Exporting the monthly sales report from the back office gives "
        "\u201cError 500\u201d.",
        question="Does the report export fail for every month or only for last month?",
        answer="Only for last month; October's report exports fine.",
        solution="A sale on the 12th had been saved without an amount and broke the report "
        "export. We corrected it and the monthly report exports again.",
        steps="1. Reports > Sales\n2. Choose last month\n3. Press Export",
        url="https://backoffice.studiorossi.example/reports/sales",
        escalation="Error 500 exporting one month of the sales report; other months export. "
        "Looks like one record breaks the export.",
        l2_note="Logs: a sale without an amount on the 12th breaks the export.",
        hand_back="We fixed the sale without an amount on the 12th; ask them to export again.",
    ),
    Story(
        category="Back office web",
        subject="Feature request: dark mode in the back office",
        description="Working late, the back office's white pages are hard on the eyes; a dark "
        "mode would help.",
        question="Would a back office dark mode that follows your computer's setting work for you?",
        answer="Yes, following the computer's setting is perfect.",
        solution="Since back office 5.0 the pages follow your computer's dark mode setting.",
        type=TicketType.IMPROVEMENT,
        steps="1. Open the back office\n2. Set the computer to dark mode\n3. Pages stay white",
        url="https://backoffice.studiorossi.example/",
        escalation="Improvement request for the back office: a dark mode.",
        l2_note="Dark mode following the system setting is planned for back office 5.0.",
        hand_back="Back office 5.0 follows the system's dark mode; it is released.",
    ),
    Story(
        category="VPN",
        subject="Question about VPN access for travel",
        description="I am travelling to a supplier next week: how do I get VPN access to the "
        "back office from my laptop?",
        question="Which laptop will you use the VPN on: the shop's or your own?",
        answer="The shop's laptop, the grey one.",
        solution="We installed the VPN profile on the shop's grey laptop; connect with your "
        "usual log-in once you are on the hotel's network.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
        escalation="VPN access needed for travel on the shop's laptop: needs a VPN profile.",
        l2_note="Issued a VPN certificate for the shop's grey laptop.",
        hand_back="VPN profile ready for the grey laptop; install it from the software centre.",
    ),
    Story(
        category="Password reset",
        subject="Back office password refused: account locked",
        description="The back office says my account is locked after too many password attempts.",
        question="Do you remember your password, or shall we reset it?",
        answer="Please reset it; I am not sure which one I used.",
        solution="We unlocked your back office account and reset its password; you will get "
        "a temporary password by text message.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
    ),
    Story(
        category="Wi-Fi",
        subject="Wi-Fi drops in the meeting room",
        description="The Wi-Fi in the back meeting room drops every few minutes during video "
        "calls.",
        question="Does the Wi-Fi drop only in the meeting room, or elsewhere in the shop too?",
        answer="Only in the meeting room; the shop floor is fine.",
        solution="The meeting room was at the edge of the Wi-Fi's range. We added an access "
        "point there and the Wi-Fi stays up during calls.",
        escalation="Wi-Fi drops in one room only: looks like coverage, needs a site survey.",
        l2_note="Survey: signal at -80 dBm in the meeting room; one more access point needed.",
        hand_back="Access point added in the meeting room; Wi-Fi signal now -55 dBm.",
    ),
)
