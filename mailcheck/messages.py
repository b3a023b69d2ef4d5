"""Words for the core's codes. The core returns codes; the page, the admin and the command line
turn them into sentences here, in the user's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mailcheck.check import Delivery, Finding, FixKind
from mailcheck.identity import Change, Field, ProblemCode
from mailcheck.policy import RouteKind, Timeline
from mailcheck.spf import SpfResult

FIELD_NAMES: dict[Field, Promise] = {
    Field.ACCOUNT: _("Account name"),
    Field.MAIL_FROM: _("Mail address"),
    Field.HEADER_FROM: _("From address (shown to recipients)"),
}

PROBLEMS: dict[ProblemCode, Promise] = {
    ProblemCode.HAS_SPACE: _("Remove the spaces: an account name or address never contains one."),
    ProblemCode.ACCOUNT_HAS_AT: _(
        "The account name uses a dot where the address has its @. Replace the @ with a dot (.)."
    ),
    ProblemCode.ACCOUNT_NO_DOMAIN: _(
        "The account name ends with the domain of your address: add it after a dot, "
        "for example iij-taro.iijmio-mail.jp."
    ),
    ProblemCode.ACCOUNT_OUTSIDE_SERVICE: _(
        "This account name does not end with one of our mail domains (%(domains)s). "
        "Check that you copied the account name for sending, not the address of another provider."
    ),
    ProblemCode.ACCOUNT_NO_MAILBOX: _(
        "The part before the domain is missing: the account name is your address with the @ "
        "replaced by a dot."
    ),
    ProblemCode.ADDRESS_NO_AT: _(
        "A mail address needs an @ and a domain, for example iij-taro@iijmio-mail.jp."
    ),
    ProblemCode.ADDRESS_MANY_AT: _("A mail address has exactly one @. Remove the extra ones."),
    ProblemCode.ADDRESS_NO_MAILBOX: _("The part before the @ is missing."),
    ProblemCode.ADDRESS_NO_DOMAIN: _("The domain after the @ is missing."),
    ProblemCode.BAD_MAILBOX: _(
        "The part before the domain holds a character a mail address cannot use without quoting, "
        "or two dots in a row. Check it against your mail program."
    ),
    ProblemCode.BAD_DOMAIN: _(
        "The domain is not a valid domain name. Check the part after the @ for typing slips."
    ),
    ProblemCode.BAD_A_LABEL: _(
        "The domain after the @ has a part beginning with xn-- that is not a valid "
        "internationalised (Japanese) domain name. Type the domain as it is written in "
        "Japanese, or check the xn-- part for typing slips."
    ),
    ProblemCode.ADDRESS_LITERAL: _(
        "The mail address has an IP address after the @ where its domain belongs. Recipients "
        "check SPF for a domain, so enter the address with its domain, for example "
        "iij-taro@iijmio-mail.jp."
    ),
    ProblemCode.QUOTED_MAILBOX: _(
        "Addresses at our mail domains are written without quotation marks, and the part "
        "before the @ holds no spaces. Remove the quotation marks and the characters that "
        "needed them."
    ),
    ProblemCode.MAILBOX_TOO_LONG: _("The part before the domain is longer than 64 characters."),
    ProblemCode.DOMAIN_TOO_LONG: _("The domain is longer than 253 characters."),
    ProblemCode.TOO_LONG: _("This is longer than a mail address or account name can be."),
}

# Where a problem is better said per field, this wins over PROBLEMS.
FIELD_PROBLEMS: dict[tuple[ProblemCode, Field], Promise] = {
    (ProblemCode.EMPTY, Field.ACCOUNT): _("Enter the account name from your mail program."),
    (ProblemCode.EMPTY, Field.MAIL_FROM): _("Enter the mail address from your mail program."),
    # Reached by a value that is empty once read (mailto: alone): a blank field is the default.
    (ProblemCode.EMPTY, Field.HEADER_FROM): _(
        "Enter the From address recipients see, or leave this field empty."
    ),
}

SUGGESTION = _("Did you mean %(suggestion)s?")

CHANGES: dict[Change, Promise] = {
    Change.WIDTH: _("full-width characters turned into half-width ones"),
    Change.WHITESPACE: _("spaces around the value removed"),
    Change.MAILTO: _("the mailto: prefix removed"),
    Change.ANGLE_BRACKETS: _("the address taken out of its angle brackets"),
    Change.CASE: _("capital letters written in lower case"),
    Change.TRAILING_DOT: _("the dot at the end removed"),
    Change.IDN: _("the Japanese domain written in the form mail servers use (xn--)"),
    Change.QUOTES: _("the quotation marks around the part before the @ removed"),
}

# What a verdict is called and what it means for delivery.
RESULTS: dict[SpfResult, tuple[Promise, Promise]] = {
    SpfResult.PASS: (
        _("Pass"),
        _("The recipient confirms the sending server may send for this domain."),
    ),
    SpfResult.SOFTFAIL: (
        _("Softfail"),
        _(
            "The sending server is not in the domain's SPF record. Many recipients put such mail "
            "in the junk folder, and some delete it before delivery."
        ),
    ),
    SpfResult.FAIL: (
        _("Fail"),
        _("The domain says this server must not send its mail. The mail is likely refused."),
    ),
    SpfResult.NEUTRAL: (
        _("Neutral"),
        _("The domain makes no statement about this server. Nothing is proven either way."),
    ),
    SpfResult.NONE: (
        _("None"),
        _(
            "The domain publishes no SPF record, so the recipient cannot check the sender. "
            "Whatever the route, the result is the same."
        ),
    ),
    SpfResult.PERMERROR: (
        _("Permanent error"),
        _("The domain's SPF record is broken. Recipients may treat the mail as unverified."),
    ),
    SpfResult.TEMPERROR: (
        _("Temporary error"),
        _("DNS did not answer in time. The recipient may defer the mail and try again later."),
    ),
}

# The findings that need no date. What the route does with a mismatch (MISMATCH_ROUTES) and
# the findings about the change (CHANGE_FINDINGS) depend on what was computed.
FINDINGS: dict[Finding, Promise] = {
    Finding.MAILBOX_DIFFERS: _(
        "You log in as %(account)s but send as %(mail_from)s: another mailbox."
    ),
    Finding.DOMAIN_DIFFERS: _(
        "You log in as %(account)s but send from the domain %(domain)s: another of our domains."
    ),
    Finding.OUTSIDE_SERVICE: _(
        "%(mail_from)s is not one of our addresses, so the SPF record of its own domain "
        "decides, not ours."
    ),
    Finding.NO_SPF: _(
        "%(domain)s publishes no SPF record: recipients see spf=none whichever server sends."
    ),
    Finding.SPF_ERROR: _(
        "The SPF check ended in an error (%(reason)s). The result may change when the "
        "domain's DNS is repaired or answers again."
    ),
    Finding.NOT_ALIGNED: _(
        "Recipients see %(header_from)s as the sender, at another domain than your mail "
        "address (%(domain)s). DMARC counts an SPF pass only when the two domains belong "
        "together, so for %(header_domain)s this mail is not confirmed by SPF."
    ),
    Finding.ADDRESSES_DISAGREE: _(
        "The servers of one route got different results (IPv4 and IPv6, for example). "
        "The table lists each server; the verdict shown is the worst of them."
    ),
}

# NEWLY_FAILING and ALWAYS_FAILING, in the tense of where the change stands (never for a service
# without a dated change: there is no "before" then).
CHANGE_FINDINGS: dict[tuple[Finding, Timeline], Promise] = {
    (Finding.NEWLY_FAILING, Timeline.IN_FORCE): _(
        "This setting passed before the change of %(day)s and no longer does."
    ),
    (Finding.NEWLY_FAILING, Timeline.AHEAD): _(
        "This setting passes today and will no longer pass from the change of %(day)s."
    ),
    (Finding.ALWAYS_FAILING, Timeline.IN_FORCE): _(
        "This setting did not pass before the change of %(day)s either."
    ),
    (Finding.ALWAYS_FAILING, Timeline.AHEAD): _(
        "This setting does not pass today and will not pass from the change of %(day)s either."
    ),
}

# Which server a mismatched sender's mail leaves through, following MAILBOX_DIFFERS or
# DOMAIN_DIFFERS: by the route actually taken (as its verdict shows) and whether the change
# moved it there ("since": in force, "from": still ahead, "": not moved, or no change at all).
MISMATCH_ROUTES: dict[tuple[RouteKind, str], Promise] = {
    (RouteKind.UNLISTED, "since"): _(
        "Since the change of %(day)s, such mail leaves through a server that is not in our SPF "
        "record."
    ),
    (RouteKind.UNLISTED, "from"): _(
        "From the change of %(day)s, such mail will leave through a server that is not in our "
        "SPF record."
    ),
    (RouteKind.UNLISTED, ""): _("Such mail leaves through a server that is not in our SPF record."),
    (RouteKind.LISTED, "since"): _(
        "Since the change of %(day)s, such mail leaves through a server in our SPF record."
    ),
    (RouteKind.LISTED, "from"): _(
        "From the change of %(day)s, such mail will leave through a server in our SPF record."
    ),
    (RouteKind.LISTED, ""): _("Such mail leaves through a server in our SPF record."),
}

# Finding.DMARC_ENFORCED, one whole sentence per policy so each language can word it freely.
DMARC_POLICIES: dict[str, Promise] = {
    "quarantine": _(
        "%(dmarc_domain)s publishes the DMARC policy p=quarantine: recipients that apply DMARC "
        "put mail that does not pass SPF in the junk folder, unless it carries a valid DKIM "
        "signature of the domain."
    ),
    "reject": _(
        "%(dmarc_domain)s publishes the DMARC policy p=reject: recipients that apply DMARC "
        "refuse mail that does not pass SPF, unless it carries a valid DKIM signature of the "
        "domain."
    ),
}

FIXES: dict[FixKind, Promise] = {
    FixKind.USE_ADDRESS_ACCOUNT: _(
        "To keep sending as %(mail_from)s, log in with that address's own account and its password."
    ),
    FixKind.USE_ACCOUNT_ADDRESS: _(
        "Or keep your login and send from the address that belongs to it."
    ),
    FixKind.USE_OWN_PROVIDER: _(
        "To send as %(mail_from)s, send through the mail server of the provider that hosts "
        "%(domain)s, with the account it gave you."
    ),
    FixKind.ALIGN_HEADER_FROM: _(
        "Set the sender name and address that recipients see (the From address) to "
        "%(mail_from)s, the address you send from. To send as an address at %(domain)s, send "
        "through the mail server of the provider that hosts %(domain)s."
    ),
}

ROUTES = {
    "listed": _("SPF-listed server"),
    "unlisted": _("Server not in SPF"),
}

# The home page's statement of the rule, for mismatched senders: by where the change stands
# and the route the configuration gives them.
HOME_RULES: dict[tuple[Timeline, RouteKind], Promise] = {
    (Timeline.IN_FORCE, RouteKind.UNLISTED): _(
        "Since %(day)s, mail whose sender address does not match the account you log in with "
        "leaves through a server that is not listed in our SPF record. The recipient's SPF check "
        "may then fail, and your mail may go to the junk folder."
    ),
    (Timeline.IN_FORCE, RouteKind.LISTED): _(
        "Since %(day)s, mail whose sender address does not match the account you log in with "
        "leaves through a server listed in our SPF record."
    ),
    (Timeline.AHEAD, RouteKind.UNLISTED): _(
        "From %(day)s, mail whose sender address does not match the account you log in with "
        "will leave through a server that is not listed in our SPF record. The recipient's SPF "
        "check may then fail, and your mail may go to the junk folder."
    ),
    (Timeline.AHEAD, RouteKind.LISTED): _(
        "From %(day)s, mail whose sender address does not match the account you log in with "
        "will leave through a server listed in our SPF record."
    ),
    (Timeline.NO_CHANGE, RouteKind.UNLISTED): _(
        "Mail whose sender address does not match the account you log in with leaves through a "
        "server that is not listed in our SPF record. The recipient's SPF check may then fail, "
        "and your mail may go to the junk folder."
    ),
    (Timeline.NO_CHANGE, RouteKind.LISTED): _(
        "Mail whose sender address does not match the account you log in with leaves through a "
        "server listed in our SPF record."
    ),
}

HOME_CAPTIONS: dict[Timeline, Promise] = {
    Timeline.IN_FORCE: _("Which server sends your mail since %(day)s"),
    Timeline.AHEAD: _("Which server will send your mail from %(day)s"),
    Timeline.NO_CHANGE: _("Which server sends your mail"),
}

NEXT_CHANGE = _("A further change to our sending servers takes effect on %(day)s.")

# The headline of a result: what happens to the mail, in the customer's words. TODAY is what
# today's rules do; FROM_DAY what a change still ahead will do from its date.
DELIVERY_TODAY: dict[Delivery, Promise] = {
    Delivery.DELIVERED: _("Your mail reaches the recipient."),
    Delivery.AT_RISK: _("Your mail may end up in the recipient's junk folder."),
    Delivery.QUARANTINE: _("Your mail is quarantined by the recipient as junk mail."),
    Delivery.REJECT: _("The recipient's mail server refuses your mail."),
    Delivery.UNKNOWN: _(
        "We could not tell (a temporary DNS error). Please try again in a few minutes."
    ),
}

DELIVERY_FROM_DAY: dict[Delivery, Promise] = {
    Delivery.DELIVERED: _("From %(day)s, your mail will reach the recipient."),
    Delivery.AT_RISK: _("From %(day)s, your mail may end up in the recipient's junk folder."),
    Delivery.QUARANTINE: _(
        "From %(day)s, your mail will be quarantined by the recipient as junk mail."
    ),
    Delivery.REJECT: _("From %(day)s, the recipient's mail server will refuse your mail."),
    Delivery.UNKNOWN: _("What happens from %(day)s could not be told (a temporary DNS error)."),
}

# A DMARC policy that a domain applies to a sample only (pct= below 100, RFC 7489 §6.3).
DMARC_SAMPLE: dict[Delivery, Promise] = {
    Delivery.REJECT: _(
        "%(dmarc_domain)s asks recipients to refuse %(percent)s%% of such mail and to treat "
        "the rest as junk mail."
    ),
    Delivery.QUARANTINE: _(
        "%(dmarc_domain)s asks recipients to quarantine %(percent)s%% of such mail and leaves "
        "the rest to their own filters."
    ),
}

# The portal sees the envelope only: where a DMARC policy decides, a DKIM signature could too.
DKIM_NOT_CHECKED = _(
    "If the provider that hosts %(dmarc_domain)s signs your mail for it, recipients may accept "
    "it after all: this check cannot see such a signature."
)

# The headings of a result's periods, before and after a dated change, or the one period when
# the rules never changed.
PERIOD_HEADINGS: dict[str, Promise] = {
    "before": _("Before the change (until %(day)s)"),
    "after": _("After the change (from %(day)s)"),
}
PERIOD_NOW = _("Your mail today")

# The recipient's SPF verdict from today on, in one sentence (in the result's details).
VERDICT_SUMMARIES: dict[SpfResult, Promise] = {
    SpfResult.PASS: _("Recipients will see this mail as coming from an authorised server."),
    SpfResult.NONE: _(
        "The sender's domain publishes no SPF, so recipients cannot verify it either way."
    ),
}
VERDICT_NOT_AUTHORISED = _("Recipients will not see this mail as coming from an authorised server.")
VERDICT_TIMELINE = _("Before the change of %(day)s: spf=%(before)s. From that day: spf=%(after)s.")

# Nothing to change: the account and address belong together, or a mismatch passes anyway.
NO_FIX_MATCHING = _("Nothing: your account name and mail address belong together.")
NO_FIX_PASSING = _(
    "Nothing: with these settings recipients can confirm that your mail comes from an allowed "
    "server."
)

# What a DNS query of the trace got instead of an answer.
QUERY_OUTCOMES: dict[str, Promise] = {
    "nxdomain_or_nodata": _("Nothing (no such name, or no record of this type)"),
    "timeout": _("No answer in time"),
}
QUERY_ERROR = _("DNS error")


# The reasons under "Why", in plain words: no SPF, DMARC or DKIM. The findings' technical
# wording (FINDINGS and the rest above) is in the result's details.
REASONS: dict[Finding, Promise] = {
    Finding.MAILBOX_DIFFERS: FINDINGS[Finding.MAILBOX_DIFFERS],
    Finding.DOMAIN_DIFFERS: FINDINGS[Finding.DOMAIN_DIFFERS],
    Finding.OUTSIDE_SERVICE: _(
        "%(mail_from)s is not one of our addresses: the provider that hosts %(domain)s decides "
        "which servers may send its mail, not us."
    ),
    Finding.NO_SPF: _(
        "%(domain)s does not tell recipients which servers may send its mail, so they cannot "
        "confirm where your mail comes from."
    ),
    Finding.SPF_ERROR: _(
        "The sending rules that %(domain)s publishes could not be read (the details say why). "
        "The result may change once they are repaired or answer again."
    ),
    Finding.ADDRESSES_DISAGREE: _(
        "Your mail may leave through more than one of our servers, and recipients judge them "
        "differently. The result shown is the worse one."
    ),
    Finding.NOT_ALIGNED: _(
        "Recipients see %(header_from)s as the sender, at another domain than your mail "
        "address (%(domain)s), so they cannot confirm that this mail comes from "
        "%(header_domain)s."
    ),
}

# Finding.DMARC_ENFORCED in plain words, per policy.
PLAIN_POLICIES: dict[str, Promise] = {
    "quarantine": _(
        "%(dmarc_domain)s asks recipients to treat mail that they cannot confirm as coming from "
        "it as junk."
    ),
    "reject": _(
        "%(dmarc_domain)s asks recipients to refuse mail that they cannot confirm as coming "
        "from it."
    ),
}

# MISMATCH_ROUTES in plain words.
PLAIN_ROUTES: dict[tuple[RouteKind, str], Promise] = {
    (RouteKind.UNLISTED, "since"): _(
        "Since %(day)s, we send such mail through a server that recipients cannot confirm as "
        "allowed to send it."
    ),
    (RouteKind.UNLISTED, "from"): _(
        "From %(day)s, we will send such mail through a server that recipients cannot confirm "
        "as allowed to send it."
    ),
    (RouteKind.UNLISTED, ""): _(
        "We send such mail through a server that recipients cannot confirm as allowed to send it."
    ),
    (RouteKind.LISTED, "since"): _(
        "Since %(day)s, we send such mail through a server that recipients confirm as allowed."
    ),
    (RouteKind.LISTED, "from"): _(
        "From %(day)s, we will send such mail through a server that recipients confirm as allowed."
    ),
    (RouteKind.LISTED, ""): _(
        "We send such mail through a server that recipients confirm as allowed."
    ),
}
