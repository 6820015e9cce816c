"""Signals commerce declares for the apps above it (it never imports them).

``entitlements_revoked``: a purchase's entitlements (study material, practice
tests) were revoked, as by a refund. Sent inside the revoking transaction with
``technician_id``, ``test`` and ``actor``, so a receiver's writes commit or roll
back with the revocation. Exam delivery ends the practice attempts it unlocked.

``renewal_check``: asked before a renewal app subscription goes into a cart, when
the cart is shown and again when the order is placed, with ``technician_id`` and
``day``. Each receiver returns a list of reasons (sentences for the technician) the
subscription cannot be bought; empty when it can. The renewal app answers: commerce
cannot know which certifications could take part.

``renewal_purchased``: an order line of kind ``renewal`` was placed (the moment a
test line's entitlements are granted). Sent inside the placing transaction with
``technician_id``, ``order_line_id`` and ``actor``; the renewal app starts the
subscription, so a failure there rolls the order back.

``renewal_refunded``: a renewal line was refunded. Sent inside the refunding
transaction with ``technician_id``, ``order_line_id``, ``reason`` and ``actor``; the
renewal app cancels the subscription it paid for.
"""

from __future__ import annotations

from django.dispatch import Signal

entitlements_revoked = Signal()
renewal_check = Signal()
renewal_purchased = Signal()
renewal_refunded = Signal()
