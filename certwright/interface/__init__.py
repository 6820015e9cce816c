"""The composition of the site: the one package that imports every app.

It mounts each app's URLs (``urls``) and REST API router (``api``), and loads every
app's demo data in order (``certwright demo load``). Nothing imports it but Django
(``ROOT_URLCONF``, ``INSTALLED_APPS``): it sits above every app, so an app never has
to import its peers to be put together with them (docs/architecture.md).
"""
