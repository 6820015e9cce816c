from django.apps import AppConfig


class ProctoringConfig(AppConfig):
    # The proctor console: no models of its own; the attempts, accommodations and
    # incidents it works on are delivery's, the appointments scheduling's.
    name = "certwright.proctoring"
    label = "proctoring"
    verbose_name = "Proctor console"
