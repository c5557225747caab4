"""Access plans (*plany dostępu*): a free basic account and paid extended ones, their
prices for a family (*pakiety*), promotions and add-on offers – all school data.

Money is ``Decimal`` in złoty with grosze (two places), never float. Dates are local
school days. The rules that use these rows are in ``pricing.py`` (prices, validity) and
``services.py`` (what a school may configure: L-05 for public schools).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School

from . import entitlements

MONEY = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Channel(models.TextChoices):
    """How a family pays."""

    SCHOOL = "school", _("at school (activation list)")
    ONLINE = "online", _("online payment")
    TRANSFER = "transfer", _("bank transfer or post office")


class PlanSettings(models.Model):
    """A school's rules for plans: which model it runs, its VAT, and – for the
    2012-style model only – the networks and hours in which a basic account sees grades
    and attendance at school. One row per school; none: the statutory model."""

    class Mode(models.TextChoices):
        STATUTORY = "statutory", _("the register free from anywhere, extras paid (L-05)")
        AT_SCHOOL = (
            "at_school",
            _("a basic account sees grades and attendance only at school, in consultation hours"),
        )

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="plan_settings")
    mode = models.CharField(
        _("plan model"), max_length=20, choices=Mode.choices, default=Mode.STATUTORY
    )
    networks = models.TextField(
        _("school networks"),
        blank=True,
        help_text=_("One address range a line, e.g. 192.0.2.0/24."),
    )
    # [{"weekday": 1..7, "start": "HH:MM", "end": "HH:MM"}, ...]
    consultation_hours = models.JSONField(_("consultation hours"), default=list, blank=True)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("23.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
    )
    # A school exempt from VAT (*zwolniony*, e.g. art. 43 or 113 of the VAT act) prints
    # "zw." on its receipts instead of a rate.
    vat_exempt = models.BooleanField(_("exempt from VAT"), default=False)
    tax_id = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return str(_("plan settings"))


class Plan(models.Model):
    """A plan: what its accounts may use (``entitlements``) and for how long a purchase
    lasts. A school has one free plan (the basic account, *konto podstawowe*)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("name"), max_length=100)
    is_free = models.BooleanField(_("free"), default=False)
    entitlements = models.JSONField(_("includes"), default=list, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months from activation)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["school", "-is_free", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="plan_name_once"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_free=True), name="plan_one_free_per_school"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def includes(self, code: str) -> bool:
        return code in self.entitlements

    def entitlement_labels(self) -> list[str]:
        return [entitlements.label(code) for code in self.entitlements]


class Package(models.Model):
    """What a family buys of a plan: the accounts of one child (and the child's
    parents), or of all the family's children at one price (*pakiet rodzeństwo*), and
    the ways it may be paid."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("one child")
        SIBLINGS = "siblings", _("all siblings")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="plan_packages")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="packages")
    kind = models.CharField(_("package"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("price (gross, zł)"), **MONEY)
    channels = models.JSONField(_("may be paid"), default=list)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="package_kind_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="package_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {self.get_kind_display()}"


class Promotion(models.Model):
    """A lower price for a time, perhaps only through some channels (the leaflet's:
    1 September to 31 October, for activations collected at school)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="promotions")
    name = models.CharField(_("name"), max_length=100)
    amount = models.DecimalField(_("price (gross, zł)"), **MONEY)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    channels = models.JSONField(_("only when paid"), default=list)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="promotion_period_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="promotion_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    """An add-on a family may buy within some days of its activation (the leaflet's
    e-learning platform: 21 zł for 12 months, within 30 days)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="plan_offers")
    name = models.CharField(_("name"), max_length=100)
    entitlement = models.CharField(
        _("adds"), max_length=20, choices=entitlements.CHOICES, default=entitlements.ELEARNING
    )
    amount = models.DecimalField(_("price (gross, zł)"), **MONEY)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), default=12, validators=[MinValueValidator(1)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("may be bought within (days of activation)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="offer_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Purchase(models.Model):
    """A family's purchase (*zakup*, *aktywacja*) of a package for its children's
    accounts (or of an add-on offer): the children covered, the channel, the price quoted
    when it was made, and the payment title (``titles.py``) that identifies the family
    and the package on a bank transfer. It activates (``Access`` rows) once it is paid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for payment")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="plan_purchases")
    package = models.ForeignKey(
        Package,
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="purchases",
        null=True,
        blank=True,
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        on_delete=models.PROTECT,
        related_name="purchases",
        null=True,
        blank=True,
    )
    students = models.ManyToManyField(
        "schools.Student", verbose_name=_("children"), related_name="plan_purchases"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_purchases",
    )
    channel = models.CharField(_("paid"), max_length=10, choices=Channel.choices)
    amount = models.DecimalField(_("amount (gross, zł)"), **MONEY)
    promotion = models.ForeignKey(
        Promotion,
        verbose_name=_("promotion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
    )
    title = models.CharField(_("payment title"), max_length=32)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="purchase_title_once"),
            models.CheckConstraint(
                condition=Q(package__isnull=False, offer__isnull=True)
                | Q(package__isnull=True, offer__isnull=False),
                name="purchase_package_or_offer",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_positive"),
        ]
        indexes = [models.Index(fields=["school", "status"], name="purchase_school_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def item(self) -> Package | Offer:
        """What was bought: the package, or the add-on offer."""
        return self.package if self.package_id else self.offer


class Payment(models.Model):
    """Money received for a purchase (*wpłata*), or returned (a negative amount: a
    refund). ``external_ref`` names it where it came from – the operator's order id, the
    bank statement's line, the activation list's line – so recording it again (a repeated
    notification, a statement imported twice) finds it instead of counting it twice."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="plan_payments")
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.PROTECT, related_name="payments"
    )
    channel = models.CharField(_("paid"), max_length=10, choices=Channel.choices)
    amount = models.DecimalField(_("amount (zł)"), max_digits=8, decimal_places=2)
    external_ref = models.CharField(_("reference"), max_length=100)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The receipt (*potwierdzenie wpłaty*): numbered per school and calendar year of
    # receipt in the order payments are recorded (printed ``<number>/<year>``; numbers
    # given before 0007 ran on across years and keep what they were), and the VAT rate
    # of the day (None: the school is exempt, "zw.").
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"))
    receipt_number = models.PositiveIntegerField(_("receipt number"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=4, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["received_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "channel", "external_ref"], name="payment_reference_once"
            ),
            models.UniqueConstraint(
                fields=["school", "receipt_year", "receipt_number"],
                name="payment_receipt_number_once_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_ref} ({self.amount} zł)"

    @property
    def receipt_label(self) -> str:
        """The receipt's printed number, ``<number>/<year>`` (``3/2027``)."""
        return f"{self.receipt_number}/{self.receipt_year}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class Access(models.Model):
    """A child's paid access (*dostęp*): what a purchase adds for the child's and the
    parents' accounts, from ``starts`` to ``ends`` (both inclusive). ``entitlements``
    keeps what was bought (the plan's, or the offer's one) even if the plan changes."""

    student = models.ForeignKey(
        "schools.Student",
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="plan_accesses",
    )
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="accesses"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    entitlements = models.JSONField(_("includes"), default=list)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    # the day the end of this access was applied (the family's SMS switched off where
    # nothing else grants it: ``services.sms.accesses_close``); None while it runs
    closed_on = models.DateField(_("end applied on"), null=True, blank=True)

    class Meta:
        verbose_name = _("access")
        verbose_name_plural = _("accesses")
        ordering = ["student", "starts", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "student"], name="access_once_per_child"),
        ]
        indexes = [models.Index(fields=["student", "ends"], name="access_student_ends")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.starts}–{self.ends}"

    def active_on(self, day) -> bool:
        return self.starts <= day <= self.ends


class ActivationList(models.Model):
    """An activation list (*lista aktywacyjna*) of a class: at the parents' meeting the
    class teacher notes which families paid which package in cash, sends the list to the
    school's office, which confirms it (the purchases, payments and accesses are made
    then) or returns it with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being filled in")
        SENT = "sent", _("sent to the office")
        RETURNED = "returned", _("returned to the class teacher")
        CONFIRMED = "confirmed", _("confirmed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="activation_lists")
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="activation_lists",
    )
    collected_on = models.DateField(_("collected on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("class teacher"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activation list")
        verbose_name_plural = _("activation lists")
        ordering = ["-collected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.collected_on}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ActivationLine(models.Model):
    """One family's line on an activation list: the child of the class, the package
    paid for (the sibling package covers the child's brothers and sisters too), the
    amount collected in cash (the day's price at school), and – once the office
    confirmed the list – the purchase it made."""

    activation_list = models.ForeignKey(
        ActivationList, on_delete=models.CASCADE, related_name="lines"
    )
    student = models.ForeignKey(
        "schools.Student",
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="activation_lines",
    )
    package = models.ForeignKey(
        Package, verbose_name=_("package"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("collected (zł)"), **MONEY)
    purchase = models.OneToOneField(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activation_line",
    )

    class Meta:
        verbose_name = _("activation list line")
        verbose_name_plural = _("activation list lines")
        ordering = ["activation_list", "student__last_name", "student__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activation_list", "student"], name="activation_line_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activation_list_id}: {self.student_id}"


class BankAccount(models.Model):
    """The school's bank account that families pay to by transfer or at the post office
    (printed on the payment slip). The number is checked as an IBAN."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="plan_bank_account"
    )
    holder = models.CharField(_("account holder"), max_length=140)
    address = models.CharField(_("holder's address"), max_length=140)
    iban = models.CharField(_("account number (IBAN)"), max_length=34)

    class Meta:
        verbose_name = _("school's bank account")
        verbose_name_plural = _("schools' bank accounts")

    def __str__(self) -> str:
        return self.holder


class OnlineOrder(models.Model):
    """An order at the online payment operator for a purchase (*zamówienie*): a parent
    may start again after an abandoned one, so a purchase may have several; only a
    ``COMPLETED`` one records a payment (its ``order_id`` is the payment's reference)."""

    class Status(models.TextChoices):
        NEW = "NEW", _("started")
        PENDING = "PENDING", _("being paid")
        WAITING_FOR_CONFIRMATION = "WAITING_FOR_CONFIRMATION", _("waiting for confirmation")
        COMPLETED = "COMPLETED", _("paid")
        CANCELED = "CANCELED", _("cancelled")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="online_orders")
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.PROTECT, related_name="orders"
    )
    operator = models.CharField(_("operator"), max_length=20)
    order_id = models.CharField(_("operator's order"), max_length=64)
    ext_order_id = models.CharField(_("our order"), max_length=64)
    amount = models.DecimalField(_("amount (zł)"), **MONEY)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.NEW
    )
    redirect_uri = models.URLField(_("payment address"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    FINAL = frozenset({Status.COMPLETED, Status.CANCELED})

    class Meta:
        verbose_name = _("online order")
        verbose_name_plural = _("online orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "order_id"], name="online_order_once"),
            models.UniqueConstraint(fields=["ext_order_id"], name="online_ext_order_once"),
        ]

    def __str__(self) -> str:
        return self.order_id


class Statement(models.Model):
    """An imported bank statement (*wyciąg*): the file's digest keeps the same file from
    being imported twice; its lines are ``StatementLine`` rows."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (bank export)")
        MT940 = "mt940", _("MT940")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="statements")
    name = models.CharField(_("file"), max_length=200)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    digest = models.CharField(_("SHA-256"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    counts = models.JSONField(_("outcome"), default=dict)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "digest"], name="statement_file_once"),
        ]

    def __str__(self) -> str:
        return self.name


class StatementLine(models.Model):
    """One line of a bank statement and what became of it: matched with a purchase (a
    payment recorded), left for review (*do wyjaśnienia*: wrong amount, unknown title, a
    purchase already paid), outgoing money (not ours to match), or decided by the office
    (assigned to a purchase, or dismissed with a reason). ``ref`` (the bank's reference
    or a hash of the line) is unique per school: a line is taken once."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("matched")
        REVIEW = "review", _("to review")
        OUTGOING = "outgoing", _("outgoing")
        ASSIGNED = "assigned", _("assigned by the office")
        DISMISSED = "dismissed", _("dismissed")

    class Reason(models.TextChoices):
        NONE = "", _("none")
        UNKNOWN_TITLE = "unknown_title", _("no known payment title")
        WRONG_AMOUNT = "wrong_amount", _("the amount differs from the price")
        ALREADY_PAID = "already_paid", _("the purchase is already paid")
        NOT_PENDING = "not_pending", _("the purchase is cancelled or refunded")
        SEVERAL_TITLES = "several_titles", _("several payment titles in one transfer")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="statement_lines")
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    ref = models.CharField(_("reference"), max_length=100)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount (zł)"), max_digits=10, decimal_places=2)
    title = models.CharField(_("transfer title"), max_length=500)
    counterparty = models.CharField(_("sender"), max_length=200, blank=True)
    account = models.CharField(_("sender's account"), max_length=34, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(
        _("why to review"), max_length=20, choices=Reason.choices, blank=True, default=""
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booked_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "ref"], name="statement_line_once"),
        ]
        indexes = [models.Index(fields=["school", "outcome"], name="statement_line_outcome")]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.title}"
