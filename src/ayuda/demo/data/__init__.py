"""The demo's reference data, apart from the code that loads it: the desk (organisations,
sites, teams, users, categories), the stories its tickets tell per language, and the plan
(how many tickets follow each lifecycle, over how long)."""
