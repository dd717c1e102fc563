.PHONY: run test bench lint env clean

VENV := .venv/bin

env:
	@scripts/bootstrap.sh

run: env
	@$(VENV)/kravflyt run

test: env
	@scripts/test-tools.sh
	@$(VENV)/python -m pytest $(PYTEST_ARGS)

bench: env
	@$(VENV)/python -m benchmarks

lint: env
	@$(VENV)/ruff check .
	@$(VENV)/ruff format --check .
	@$(VENV)/mypy --strict libs/rules/src libs/contracts/src libs/runtime/src
	@$(VENV)/mypy services/intake/src
	@$(VENV)/mypy --strict services/dunning/src services/payments/src services/notification/src services/minside/src
	@$(VENV)/lint-imports

clean:
	rm -rf .venv
