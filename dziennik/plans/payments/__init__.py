"""Paying for plans: online through an operator (``operators``), by transfer or at the
post office with a printed slip (``slip``), and the bank statements that bring those
transfers in (``statements``), with a review queue for what does not match."""
