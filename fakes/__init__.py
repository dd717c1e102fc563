"""Local fakes of the national services notification talks to (not packaged).

Each is a small FastAPI app with the real service's endpoints and an ``/_admin`` API to look
inside and to switch on reservation, missing mailboxes, timeouts and errors:

    python -m fakes krr --port 8091        # KRR, and Maskinporten's token endpoint
    python -m fakes digipost --port 8092   # Digipost REST API v8 (signed requests)
    python -m fakes svarut --port 8093     # KS Fiks SvarUt forsendelse REST v1
    python -m fakes altinn --port 8094     # Altinn Notifications (SMS, e-mail)
    python -m fakes vipps --port 8095      # Vipps MobilePay ePayment v1 (signed webhooks)
    python -m fakes oidc --port 8090       # ID-porten for Min side (Canaille, OpenID Connect)

``oidc`` is a Flask app instead (Canaille, the OpenID Connect provider pytest-iam runs), with
only ``/_admin/health``. Run from the repository root (``fakes`` is importable from there);
tests start them as subprocesses. ``fakes.people`` says who is reserved, unregistered or
without a mailbox.
"""

SERVICES = ("krr", "digipost", "svarut", "altinn", "vipps", "oidc")
