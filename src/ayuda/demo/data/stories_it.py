"""The demo's stories in Italian: Studio Rossi's shops."""

from ayuda.tickets.models import TicketType

from .story import Story

STORIES = (
    Story(
        category="People counter",
        subject="Il contapersone non invia i dati",
        description="Da ieri la dashboard non mostra ingressi del negozio. Il contapersone "
        "all'ingresso ha la luce accesa.",
        question="Potete controllare che il cavo di rete del contapersone sia collegato e "
        "mandarci una foto delle sue luci?",
        answer="Il cavo è collegato bene. Ora la luce del contapersone lampeggia arancione.",
        solution="Il contapersone aveva perso la configurazione di rete dopo un blackout. "
        "L'abbiamo aggiornato da remoto al firmware 2.14 e ora invia i dati; la dashboard "
        "recupererà gli ingressi di ieri alla prossima sincronizzazione.",
        vendor_answer="Known fault in firmware 2.13: the counter loses its network settings "
        "after a power cut. Firmware 2.14 fixes it; we pushed it to the device remotely.",
    ),
    Story(
        category="People counter",
        subject="[Monitor] {site}: contapersone senza heartbeat da 3 giorni",
        description="Il controllo di stato non riceve l'heartbeat del contapersone di {site} "
        "da più di 3 giorni.",
        question="Qualcuno in negozio può vedere se il contapersone all'ingresso ha le luci "
        "accese?",
        answer="Era staccato: l'avevano scollegato per pulire la vetrina. Ora è ricollegato.",
        solution="Il contapersone invia di nuovo l'heartbeat da quando è stato ricollegato. "
        "Chiudiamo l'allarme.",
        monitoring=True,
        vendor_answer="The device's logs show it was powered off for 3 days and is healthy "
        "since it came back; no fault on our side.",
    ),
    Story(
        category="People counter",
        subject="[Monitor] {site}: contapersone con discrepanza INGRESSI/USCITE del 14 %",
        description="A fine giornata la differenza tra ingressi e uscite del contapersone di "
        "{site} è stata del 14 % (soglia: 10 %).",
        question="È stato spostato qualcosa vicino alla porta? Un espositore nuovo vicino al "
        "contapersone può tagliare la linea di conteggio.",
        answer="Sì, lunedì abbiamo messo un espositore delle offerte vicino all'ingresso.",
        solution="Abbiamo ricalibrato la linea di conteggio del contapersone perché non conti "
        "chi si ferma all'espositore. Ieri la differenza è stata del 3 %.",
        monitoring=True,
        vendor_answer="We recalibrated the counting line remotely to leave out the display "
        "area; yesterday's IN/OUT difference was 3 %.",
    ),
    Story(
        category="Printer",
        subject="La stampante degli scontrini non stampa",
        description="Alla cassa 2 la stampante degli scontrini fa uscire la carta bianca.",
        question="Il rotolo della stampante è di carta termica? Se è montato al contrario, la "
        "stampa esce bianca.",
        answer="È il rotolo arrivato la settimana scorsa; l'ho girato ma è uguale.",
        solution="Il rotolo della stampante non era di carta termica. Con un rotolo termico la "
        "stampante degli scontrini stampa bene; vi spediamo una scatola di rotoli nuovi.",
        quick=True,
        visit="La stampante non stampa neanche con carta termica: serve un tecnico in negozio.",
    ),
    Story(
        category="POS terminal",
        subject="Il POS della cassa 1 non legge le carte con chip",
        description="Il POS dà «errore di lettura» con tutte le carte con chip; il contactless "
        "funziona.",
        question="Avete pulito la fessura del POS con una carta di pulizia? Succede con tutte "
        "le carte?",
        answer="L'abbiamo pulita ma è uguale, con tutte le carte.",
        solution="Il lettore di chip del POS era guasto. Il tecnico ha sostituito il POS della "
        "cassa 1 e ora accetta le carte con chip.",
        visit="Lettore di chip del POS guasto: bisogna sostituire il terminale in negozio.",
    ),
    Story(
        category="Point of sale app",
        subject="L'app di cassa si blocca nei pagamenti con carta",
        description="Pagando con carta, l'app di cassa resta ferma su «In elaborazione» e va "
        "riavviata. Succede più volte al giorno.",
        question="Quale versione dell'app di cassa compare in Impostazioni > Informazioni? "
        "Succede su tutte le casse?",
        answer="La versione 4.3.0 dell'app di cassa. Solo sulla cassa 1, vicino all'ingresso.",
        solution="Il blocco era un errore della versione 4.3.0 dell'app di cassa. Abbiamo "
        "aggiornato la cassa alla 4.3.1 e i pagamenti con carta funzionano normalmente.",
        steps="1. Aggiungere un articolo\n2. Pagare con carta\n3. Resta su «In elaborazione»",
        url="https://cassa.studiorossi.example/cassa",
        escalation="Si riproduce con la versione 4.3.0 dell'app di cassa: il pagamento con "
        "carta blocca l'app. Serve il gruppo Applicazioni.",
        l2_note="Riprodotto in test: la 4.3.0 aspetta il POS senza timeout.",
        hand_back="Errore noto della 4.3.0 dell'app di cassa: aggiornare alla 4.3.1 da "
        "Impostazioni > Aggiorna.",
    ),
    Story(
        category="Back office web",
        subject="Errore nel gestionale web salvando una fattura",
        description="Nel gestionale web, salvando una fattura con sconto compare «Errore 500».",
        question="Succede con tutte le fatture o solo con quelle con sconto?",
        answer="Solo con le fatture con sconto; le altre si salvano.",
        solution="Il gestionale arrotondava male gli sconti con tre decimali e la fattura non "
        "si salvava. L'errore è corretto e ora le fatture con sconto si salvano.",
        steps="1. Fatture > Nuova\n2. Aggiungere uno sconto del 12,5 %\n3. Salvare",
        url="https://gestionale.studiorossi.example/fatture/nuova",
        escalation="Errore 500 nel gestionale web salvando fatture con sconto; le altre fatture "
        "si salvano.",
        l2_note="Nei log: arrotondamento dello sconto a tre decimali rifiutato dal database.",
        hand_back="Corretto l'arrotondamento degli sconti nel gestionale: riprovare a salvare.",
    ),
    Story(
        category="Wi-Fi",
        subject="Wi-Fi lento in negozio il sabato pomeriggio",
        description="Il sabato pomeriggio i palmari di magazzino sincronizzano via Wi-Fi "
        "dopo minuti.",
        question="A che ora il Wi-Fi diventa lento? Ci sono molti clienti sul Wi-Fi ospiti?",
        answer="Verso le quattro, quando il negozio è pieno.",
        solution="Il Wi-Fi ospiti si prendeva la banda dei palmari. L'abbiamo limitato e i "
        "palmari sincronizzano di nuovo via Wi-Fi in pochi secondi.",
        escalation="Wi-Fi saturo nelle ore di punta: il Wi-Fi ospiti condivide la banda con "
        "i palmari.",
        l2_note="L'access point dà tutta la banda al Wi-Fi ospiti.",
        hand_back="Abbiamo limitato il Wi-Fi ospiti e dato priorità alla rete dei palmari.",
    ),
    Story(
        category="VPN",
        subject="La VPN non si collega da casa",
        description="Da casa la VPN si disconnette dopo un minuto e non riesco ad aprire il "
        "gestionale.",
        question="La connessione internet funziona normalmente? Da quando la VPN si disconnette?",
        answer="Internet funziona. La VPN si disconnette da lunedì.",
        solution="Il tuo certificato VPN era scaduto lunedì. L'abbiamo rinnovato: importa il "
        "nuovo profilo che ti abbiamo mandato e la VPN resterà collegata.",
        escalation="La VPN cade dopo un minuto con internet funzionante; controllare il "
        "certificato.",
        l2_note="Il suo certificato VPN è scaduto lunedì; ne abbiamo emesso uno nuovo.",
        hand_back="Certificato VPN rinnovato; importare il nuovo profilo.",
    ),
    Story(
        category="Password reset",
        subject="Password scaduta: non riesco ad accedere al gestionale",
        description="Il gestionale dice che la password è scaduta e non mi fa cambiarla.",
        question="Ti arriva l'e-mail per reimpostare la password?",
        answer="Non mi è arrivato niente, neanche nello spam.",
        solution="Abbiamo reimpostato la tua password del gestionale e te ne abbiamo mandata "
        "una temporanea via SMS; al primo accesso te ne chiederà una nuova.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
    ),
    Story(
        category="Accounts and access",
        subject="Nuovo utente per un collaboratore",
        description="Lunedì inizia Davide Greco a {site}. Gli serve un utente per la cassa e "
        "il gestionale.",
        question="Che profilo utente gli serve nel gestionale: commesso o responsabile?",
        answer="Profilo da commesso.",
        solution="Abbiamo creato l'utente dgreco con profilo commesso in cassa e nel "
        "gestionale; la password temporanea gliela dà la responsabile.",
        type=TicketType.SERVICE_REQUEST,
        quick=True,
    ),
    Story(
        category="Hardware",
        subject="Richiesta di un nuovo portatile",
        description="Serve un portatile per il nuovo responsabile di {site}.",
        question="Il portatile serve solo per il gestionale o anche per la grafica delle vetrine?",
        answer="Anche per la grafica delle vetrine.",
        solution="Abbiamo preparato un portatile con il gestionale e i programmi di grafica "
        "per le vetrine; arriva in negozio giovedì.",
        type=TicketType.SERVICE_REQUEST,
    ),
)
