"""Signals a lower layer sends and a higher one (the composition root) receives, so that
the lower one never imports the higher one."""

from django.dispatch import Signal

# Sent when a write changed many repositories or SILL software at once (a harvest run that
# touched repositories, a SILL import): the portal-wide figures are due for a refresh.
# codegouv connects it to the refresh of the /statistiques/ figures.
catalogue_changed = Signal()
