"""Test support shared by every app's tests: the ``world`` of two schools and the
authorization matrix (``world``), the browser login (``browser``) and the accessibility
check (``a11y``). Not part of the runtime package ``dziennik``: nothing in it is
imported by the running register."""
