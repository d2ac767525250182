# Two entry points: `make demo` and `make test`. Everything goes into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install samples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Exit code 1 means "not compliant", which the non-compliant samples are meant to be.
demo: $(STAMP)
	@echo "== Dossier NTC complet (DOCX), session du titre"
	$(BIN)/dossier-check check --title ntc --session titre samples/ntc/conforme/*.docx || [ $$? -eq 1 ]
	@echo "== Dossier CC complet (ODT), session du titre"
	$(BIN)/dossier-check check --title cc --session titre samples/cc/conforme/*.odt || [ $$? -eq 1 ]
	@echo "== Documents non conformes (PDF), vérifiés un par un"
	$(BIN)/dossier-check check --title ntc samples/non-conformes/ntc-*.pdf || [ $$? -eq 1 ]
	$(BIN)/dossier-check check --title cc samples/non-conformes/cc-*.pdf || [ $$? -eq 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest -q

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf $(VENV) build *.egg-info
