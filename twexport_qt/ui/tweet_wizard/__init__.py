"""The tweet-download wizard (`wizard.py`), one page per module: accounts → source → options → output → preview →
progress → summary. The pages read and validate input; parsing, wording and the job itself live in the domain
(`tweets/`, `datasets/`) and in `services/downloads.py`."""
