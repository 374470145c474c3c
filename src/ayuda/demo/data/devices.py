"""The demo's people counters: two entrance counters per shop (one more at the busy ones),
and what the simulator makes of them (``demo/devices.py``): which go silent, which site's IN
and OUT drift apart, which counts nothing for a day."""

# site code -> [(serial, model, name, location, counts_entrance)]
DEVICES = {
    "MAD-01": [
        ("CC-MAD01-1", "CountCo 3D", "Puerta principal", "Calle Mayor", True),
        ("CC-MAD01-2", "CountCo 3D", "Puerta lateral", "Calle del Carmen", True),
        ("CC-MAD01-3", "CountCo Mini", "Probadores", "Planta 1", False),
    ],
    "MAD-02": [
        ("CC-MAD02-1", "CountCo 3D", "Entrada", "Calle de Santa Engracia", True),
        ("CC-MAD02-2", "CountCo Mini", "Entrada del garaje", "Sótano", True),
    ],
    "SVQ-01": [
        ("CC-SVQ01-1", "CountCo 3D", "Entrada norte", "Avenida de Eduardo Dato", True),
        ("CC-SVQ01-2", "CountCo 3D", "Entrada sur", "Calle Luis de Morales", True),
    ],
    "VLC-01": [
        ("CC-VLC01-1", "CountCo 3D", "Entrada", "Calle de Sueca", True),
        ("CC-VLC01-2", "CountCo Mini", "Almacén", "Muelle de carga", True),
    ],
    "BCN-01": [
        ("CC-BCN01-1", "CountCo 3D", "Entrada", "Carrer Gran de Gràcia", True),
        ("CC-BCN01-2", "CountCo 3D", "Salida de emergencia", "Carrer de Verdi", True),
    ],
    "MI-01": [
        ("CC-MI01-1", "CountCo 3D", "Ingresso", "Via Brera", True),
        ("CC-MI01-2", "CountCo 3D", "Ingresso cortile", "Cortile interno", True),
    ],
    "TO-01": [
        ("CC-TO01-1", "CountCo 3D", "Ingresso", "Via Roma", True),
        ("CC-TO01-2", "CountCo Mini", "Ingresso laterale", "Via Cavour", True),
    ],
}
INSTALLED = "2025-02-01"

# What the simulator does to them.
SIMULATED_DAYS = 7
SEED = 10
SILENT = {"CC-VLC01-2": 5, "CC-TO01-1": 4.5}  # serial -> days since its last sign of life
DRIFT_SITE = "SVQ-01"  # on the last closed day its OUT is ~20 % under its IN
DRIFT_OUT_RATIO = 0.8
ZERO_TRAFFIC = "CC-MAD02-2"  # alive, but counts nothing on the last closed day
OPEN_HOURS = (9, 21)  # local hours people come in (the counters report every hour)
