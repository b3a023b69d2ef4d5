"""Demo site content: the notice about the 2014-03-25 change and the FAQ a customer with a
softfail needs. Written for this portal from the facts of the service's announcement; labelled
as demo content on the pages themselves."""

# ruff: noqa: E501  (Japanese prose: ruff counts each character as two columns)
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from mailcheck.models import ServiceDomain
from portal.models import CheckTopic, FaqCategory, FaqEntry, Notice

JST = ZoneInfo("Asia/Tokyo")
DEMO_NOTE_JA = "> デモ用のお知らせです。実在するサービスの告知ではありません。\n\n"
DEMO_NOTE_EN = "> Demo content: this is not an announcement by a real service.\n\n"

CHANGE_NOTICE_SLUG = "2014-03-25-sender-address-and-spf"


def unwrap_japanese(text: str) -> str:
    """Join the lines of each paragraph: a line break between Japanese characters would show as a
    space in the browser. Lines that start a list item, table row or heading stay apart."""
    out: list[str] = []
    for line in text.splitlines():
        starts_block = line.startswith(("- ", "|", "#", ">")) or not line.strip()
        if out and out[-1].strip() and not starts_block:
            out[-1] += line.strip()
        else:
            out.append(line)
    return "\n".join(out) + "\n"


CHANGE_NOTICE_JA = DEMO_NOTE_JA + unwrap_japanese(
    """\
送信元を偽った迷惑メールを受信側で見分けやすくするため、**2014年3月25日（火）** から、
メール送信の仕組みを次のとおり変更します。

# 変更の内容

メールソフトでログインに使う**アカウント名**と、送信元として使われる**メールアドレス（エンベロープFrom）**
とで、メールボックス名またはドメイン名が異なる場合、そのメールは当サービスの SPFレコードに載っていない
送信サーバーから送り出されるようになります。

これまでは、正しくログインできたメールは、メールアドレスにかかわらず、すべて SPFレコードに
載っている送信サーバーから送られていました。アカウント名とメールアドレスが対応している場合は、
これまでと変わりません。

# 実施日

2014年3月25日（火）

# 変更の理由

流出したアカウントとパスワードを使い、他人のアドレスを送信元にして迷惑メールを送る被害が続いています。
送信元を偽ったメールも正しいメールも同じサーバーから送られていると、受信側の SPF 検査ではその違いを
見分けられません。

# ご確認いただきたいこと

メールソフトの設定で、次の二つの項目を見比べてください。

| 設定項目 | 正しい組み合わせの例 |
|---|---|
| アカウント名（ユーザー名） | `iij-taro.iijmio-mail.jp` |
| メールアドレス | `iij-taro@iijmio-mail.jp` |

アカウント名は、メールアドレスの「@」を「.」（ドット）に置き換えた文字列です。この形になっていれば、
受信側の SPF 検査は通常 **pass（認証成功）** になります。

次のような組み合わせでは、3月25日以降、受信側で **softfail（認証失敗）** と判定されることがあります。

- アカウント名 `iij-taro.iijmio-mail.jp` で、`iij-jiro@iijmio-mail.jp` を送信元にしている
  （メールボックス名が異なる）
- アカウント名 `iij-taro.iijmio-mail.jp` で、`iij-taro@e23.jp` を送信元にしている（ドメイン名が異なる）

独自ドメインなど当サービス以外のアドレス（例: `example@example.jp`）を送信元にしている場合は、変更前から
softfail と判定されており、今回の変更で結果は変わりません。送信元のドメインが SPF を公開していない
場合は、**none（認証情報なし）** と判定されます。

# softfail と判定された場合

受信側で迷惑メールフォルダーに振り分けられたり、受信前に削除されたりすることがあります。
なお、当サービスのサーバーがメールの送信を拒否することはありません。

# お客様へのお願い

1契約だけをご利用の場合、通常このような設定にはならないため、影響はありません。お客様に必ず
行っていただく作業はありませんが、複数のアドレスをお使いの場合は
[メール設定セルフチェック](/check/) で組み合わせを確かめ、送信元のアドレスごとに、
そのアドレスのアカウント名とパスワードでログインするよう設定してください。
"""
)

CHANGE_NOTICE_EN = (
    DEMO_NOTE_EN
    + """\
To help recipients recognise mail that forges its sender, the way we send your mail changes on
**Tuesday, 25 March 2014**.

# What changes

When the **account name** your mail client logs in with and the **mail address** it sends from
(the envelope From) differ in mailbox or in domain, the mail will leave through a server that is
not listed in our SPF record.

Until now, every mail from a correctly logged-in client left through a server listed in our SPF
record, whatever the sender address. If your account name and mail address belong together,
nothing changes for you.

# Effective date

Tuesday, 25 March 2014

# Why

Account names and passwords keep being stolen and used to send spam from other people's
addresses. As long as forged and genuine mail leave through the same servers, the recipient's
SPF check cannot tell them apart.

# What to check

In your mail client, compare these two settings:

| Setting | A matching pair |
|---|---|
| Account name (user name) | `iij-taro.iijmio-mail.jp` |
| Mail address | `iij-taro@iijmio-mail.jp` |

The account name is the mail address with "@" replaced by "." (a dot). When they match like this,
the recipient's SPF check normally says **pass**.

From 25 March, recipients may see **softfail** for pairs like these:

- account `iij-taro.iijmio-mail.jp` sending as `iij-jiro@iijmio-mail.jp` (another mailbox)
- account `iij-taro.iijmio-mail.jp` sending as `iij-taro@e23.jp` (another domain)

Sending as an address outside our service, such as your own domain (`example@example.jp`),
already gave softfail before the change and still does. If the sender's domain publishes no SPF
record, recipients see **none**.

# What softfail can do

The recipient may file the mail as junk or delete it before it is delivered. Our servers never
refuse to send it.

# What we ask of you

With a single contract you normally cannot set up such a pair, so you are not affected. Nothing is
required, but if you use several addresses, check each pair with the
[mail settings self-check](/en/check/) and log in with the account of the address you send from,
using that account's password.
"""
)


@dataclass(frozen=True)
class DemoFaq:
    slug: str
    category: str
    question_ja: str
    question_en: str
    answer_ja: str
    answer_en: str
    topics: tuple[str, ...] = ()
    related_to_change: bool = False
    position: int = 0


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name_ja: str
    name_en: str
    position: int
    entries: list[DemoFaq] = field(default_factory=list)


def answer(cause: str, fix: str, lang: str) -> str:
    cause_label, fix_label = ("原因", "対処方法") if lang == "ja" else ("Cause", "What to do")
    text = f"**{cause_label}**\n\n{cause.strip()}\n\n**{fix_label}**\n\n{fix.strip()}\n"
    return unwrap_japanese(text) if lang == "ja" else text


CATEGORIES = [
    DemoCategory("spf-results", "迷惑メール判定と SPF の結果", "Junk folder and SPF results", 10),
    DemoCategory("mail-client-settings", "メールソフトの設定", "Mail client settings", 20),
    DemoCategory(
        "several-addresses", "複数のアドレス・独自ドメイン", "Several addresses and own domains", 30
    ),
]

FAQ = [
    DemoFaq(
        slug="mail-goes-to-junk",
        category="spf-results",
        position=10,
        question_ja="送ったメールが相手の迷惑メールフォルダーに入ってしまいます",
        question_en="My mail ends up in the recipient's junk folder",
        answer_ja=answer(
            """
{change_date}以降、ログインに使うアカウント名と送信元のメールアドレスが対応していないと、
メールは SPFレコードに載っていないサーバーから送られます。受信側の SPF 検査が softfail になり、
迷惑メールと判断されることがあります。
""",
            """
[メール設定セルフチェック](/check/) にアカウント名とメールアドレスを入力し、結果を確認してください。
送信元のアドレスに合ったアカウント名（「@」を「.」に置き換えたもの）とそのパスワードでログインするか、
ログインしているアカウントのアドレスを送信元にしてください。
""",
            "ja",
        ),
        answer_en=answer(
            """
Since {change_date}, when the account name you log in with and the sender address do not belong
together, the mail leaves through a server that is not in our SPF record. The recipient's SPF
check then says softfail, and the mail may be treated as junk.
""",
            """
Enter your account name and mail address in the [settings check](/en/check/). Then either log in
with the account of the address you send from ("@" replaced by "."), with its password, or send
from the address of the account you log in with.
""",
            "en",
        ),
        topics=("newly_failing", "mailbox_differs", "domain_differs", "always_failing"),
        related_to_change=True,
    ),
    DemoFaq(
        slug="what-is-softfail",
        category="spf-results",
        position=20,
        question_ja="メールのヘッダーにある「spf=softfail」とは何ですか",
        question_en="What does “spf=softfail” in a mail header mean?",
        answer_ja=answer(
            """
受信側のサーバーは、メールアドレスのドメインが公開している SPFレコードと、メールを送ってきた
サーバーを照らし合わせます。softfail は「このドメインのメールを送るサーバーとしては登録されていないが、
拒否まではしない」という判定です。`Authentication-Results` や `Received-SPF` ヘッダーに記録されます。
""",
            """
アカウント名とメールアドレスが一致していれば、当サービスの登録済みサーバーから送られ、判定は pass になります。
[メール設定セルフチェック](/check/) で、お使いの組み合わせの判定を確かめてください。
""",
            "ja",
        ),
        answer_en=answer(
            """
The receiving server compares the server that delivered the mail with the SPF record published by
the sender address's domain. Softfail means "this server is not listed for the domain, but do not
reject outright". It is written in the `Authentication-Results` and `Received-SPF` headers.
""",
            """
When the account name and sender address match, the mail leaves through our listed servers and the
verdict is pass. Check your pair with the [settings check](/en/check/).
""",
            "en",
        ),
        topics=("newly_failing", "always_failing"),
    ),
    DemoFaq(
        slug="is-mail-refused",
        category="spf-results",
        position=30,
        question_ja="{change_date}から、メールの送信を断られるようになったのですか",
        question_en="Since {change_date}, does the server refuse my mail?",
        answer_ja=answer(
            """
いいえ。当サービスのサーバーが送信を拒否することはありません。変わったのは、アカウント名とメールアドレスが
対応していないメールを送り出すサーバーだけです。その結果、受信側の SPF 判定が softfail になることがあります。
""",
            """
届いていないと言われた場合は、相手の迷惑メールフォルダーを確かめてもらい、
[メール設定セルフチェック](/check/) でアカウント名とアドレスの組み合わせを確認してください。
""",
            "ja",
        ),
        answer_en=answer(
            """
No. Our servers never refuse the mail. What changed is only the server that sends mail whose
account name and sender address do not belong together, which can make the recipient's SPF
verdict softfail.
""",
            """
If someone says your mail did not arrive, ask them to look in their junk folder, and check your
account name and address with the [settings check](/en/check/).
""",
            "en",
        ),
        topics=("newly_failing",),
        related_to_change=True,
    ),
    DemoFaq(
        slug="spf-none",
        category="spf-results",
        position=40,
        question_ja="相手の受信結果が「spf=none」になっています",
        question_en="The recipient's result says “spf=none”",
        answer_ja=answer(
            """
メールアドレスのドメインが SPFレコードを公開していません。この場合、どのサーバーから送っても、
受信側は送信元が正しいかどうかを SPF で判断できません。
""",
            """
当サービスのメールアドレスを送信元にすると、当サービスの SPFレコードで確かめられるようになります。
独自ドメインのアドレスを使い続ける場合は、そのドメインの管理者に SPFレコードの公開を依頼してください。
""",
            "ja",
        ),
        answer_en=answer(
            """
The sender address's domain publishes no SPF record. Whatever server the mail leaves through, the
recipient cannot use SPF to tell whether the sender is genuine.
""",
            """
Send from one of our service's addresses, which our SPF record covers. To keep using your own
domain, ask its administrator to publish an SPF record.
""",
            "en",
        ),
        topics=("no_spf",),
    ),
    DemoFaq(
        slug="ipv4-ipv6-differ",
        category="spf-results",
        position=50,
        question_ja="IPv4 と IPv6 で結果が違うと表示されました",
        question_en="The check says IPv4 and IPv6 give different results",
        answer_ja=answer(
            """
送信サーバーには IPv4 と IPv6 のアドレスがあり、受信側によってどちらで届くかが変わります。
送信元ドメインの SPFレコードが片方のアドレスしか登録していないと、届いた経路によって判定が変わります。
""",
            """
送信元ドメインの管理者に、SPFレコードへ IPv6 のアドレス（`ip6:`）も登録してもらってください。
当サービスのアドレスを送信元にする場合は、アカウント名とメールアドレスを一致させてください。
""",
            "ja",
        ),
        answer_en=answer(
            """
Sending servers have IPv4 and IPv6 addresses, and which one reaches a recipient depends on the
recipient. When the sender domain's SPF record lists only one family, the verdict depends on the
path the mail took.
""",
            """
Ask the sender domain's administrator to list the IPv6 addresses (`ip6:`) in its SPF record too.
When you send from one of our addresses, make the account name and sender address match.
""",
            "en",
        ),
        topics=("addresses_disagree",),
    ),
    DemoFaq(
        slug="spf-record-error",
        category="spf-results",
        position=60,
        question_ja="チェック結果に、SPFレコードの誤りや DNS のエラーが表示されました",
        question_en="The check reports a broken SPF record or a DNS error",
        answer_ja=answer(
            """
送信元ドメインの SPFレコードに書式の誤りがある（permerror）か、DNS の問い合わせに失敗した
（temperror）ため、受信側は判定を出せません。DNS の参照回数が上限（10回）を超える場合も誤りになります。
""",
            """
temperror は一時的なことがあるため、時間をおいてもう一度チェックしてください。permerror が続く場合は、
送信元ドメインの管理者に SPFレコードの修正を依頼してください。
""",
            "ja",
        ),
        answer_en=answer(
            """
The sender domain's SPF record is malformed (permerror) or the DNS query failed (temperror), so the
recipient cannot reach a verdict. A record that needs more than 10 DNS lookups is also an error.
""",
            """
A temperror can pass: run the check again later. If permerror stays, ask the sender domain's
administrator to correct its SPF record.
""",
            "en",
        ),
        topics=("spf_error",),
    ),
    DemoFaq(
        slug="dmarc-policy",
        category="spf-results",
        position=70,
        question_ja="チェック結果に「DMARC ポリシー」について表示されました。どういう意味ですか",
        question_en="The check result mentions a DMARC policy. What does that mean?",
        answer_ja=answer(
            """
メールアドレスのドメインが DMARC レコード（`_dmarc.ドメイン名` の TXT レコード）で
`p=quarantine`（隔離）や `p=reject`（拒否）を公開していると、SPF が pass にならないメールは、
DMARC を適用する受信側で迷惑メールフォルダーに入れられるか、受け取りを拒否されます。
そのドメインの DKIM 署名が付いていれば避けられますが、softfail の影響がより大きくなります。
""",
            """
[メール設定セルフチェック](/check/) の「変更後」の判定が pass になるよう、アカウント名とメールアドレスを
そろえてください。独自ドメインのアドレスは、そのドメインのメールを扱う事業者のサーバーから送信してください。
""",
            "ja",
        ),
        answer_en=answer(
            """
When the sender address's domain publishes a DMARC record (a TXT record at `_dmarc.` followed by
the domain) with `p=quarantine` or `p=reject`, recipients that apply DMARC put mail that does not
pass SPF in the junk folder, or refuse it. A valid DKIM signature of that domain avoids this, but
otherwise a softfail matters much more.
""",
            """
Make the account name and sender address belong together, so that the result after the change in
the [settings check](/en/check/) is pass. Send an address on your own domain through the provider
that handles that domain's mail.
""",
            "en",
        ),
        topics=("dmarc_enforced",),
    ),
    DemoFaq(
        slug="account-name",
        category="mail-client-settings",
        position=10,
        question_ja="アカウント名（ユーザー名）には何を入力すればよいですか",
        question_en="What do I enter as the account name (user name)?",
        answer_ja=answer(
            """
アカウント名は、メールアドレスの「@」を「.」（ドット）に置き換えた文字列です。例えば
`iij-taro@iijmio-mail.jp` のアカウント名は `iij-taro.iijmio-mail.jp` です。別のアドレスのアカウント名で
ログインしていると、メールアドレスと対応しなくなります。
""",
            """
メールソフトの送信（SMTP）サーバーの設定で、ユーザー名がメールアドレスから作ったアカウント名に
なっているか確かめてください。パスワードはそのアカウントのものを使います。
""",
            "ja",
        ),
        answer_en=answer(
            """
The account name is your mail address with "@" replaced by "." (a dot): the account name for
`iij-taro@iijmio-mail.jp` is `iij-taro.iijmio-mail.jp`. Logging in with the account of another
address breaks the match with the sender address.
""",
            """
In your mail client's outgoing (SMTP) server settings, check that the user name is the account
name made from the address you send from, with that account's password.
""",
            "en",
        ),
        topics=("mailbox_differs", "domain_differs"),
    ),
    DemoFaq(
        slug="envelope-from",
        category="mail-client-settings",
        position=20,
        question_ja="エンベロープFromとは何ですか。差出人（From）とは違うのですか",
        question_en="What is the envelope From? Is it the same as the From line?",
        answer_ja=answer(
            """
エンベロープFromは、メールソフトが送信サーバーとやり取りするときに伝える送信元で、受信側の SPF 検査は
このアドレスのドメインを調べます。受信者が画面で見る差出人（ヘッダーの From）とは別の情報ですが、
一般的なメールソフトでは「メールアドレス」欄の値がそのまま使われます。
""",
            """
メールソフトの「メールアドレス」欄が、ログインに使うアカウント名と対応しているか確かめてください。
""",
            "ja",
        ),
        answer_en=answer(
            """
The envelope From is the sender your mail client gives the sending server; the recipient's SPF
check looks at its domain. It is separate from the From line the recipient sees, but most mail
clients fill it from the "mail address" setting.
""",
            """
Check that your mail client's "mail address" setting belongs to the account name you log in with.
""",
            "en",
        ),
        topics=("mailbox_differs", "domain_differs", "newly_failing"),
    ),
    DemoFaq(
        slug="several-addresses-one-login",
        category="several-addresses",
        position=10,
        question_ja="複数のアドレスを契約し、一つのアカウントでまとめて送信しています",
        question_en="I have several addresses and send all of them through one account",
        answer_ja=answer(
            """
{change_date}以降、ログインしたアカウントと異なるアドレス（別のメールボックスや、e23.jp など
別のサービスドメイン）を送信元にしたメールは、SPFレコードに載っていないサーバーから送られ、
受信側で softfail になることがあります。
""",
            """
メールソフトでメールアドレスごとに送信（SMTP）サーバーの設定を分け、それぞれのアドレスのアカウント名と
パスワードでログインしてください。[メール設定セルフチェック](/check/) でアドレスごとに確かめられます。
""",
            "ja",
        ),
        answer_en=answer(
            """
Since {change_date}, mail sent as an address other than the logged-in account's (another mailbox,
or another service domain such as e23.jp) leaves through a server not in our SPF record, and
recipients may see softfail.
""",
            """
Give each sender address its own outgoing (SMTP) server setting in your mail client, logging in
with that address's account name and password. The [settings check](/en/check/) checks each pair.
""",
            "en",
        ),
        topics=("mailbox_differs", "domain_differs", "newly_failing"),
        related_to_change=True,
    ),
    DemoFaq(
        slug="own-domain",
        category="several-addresses",
        position=20,
        question_ja="独自ドメインのアドレスを送信元にすると softfail になります",
        question_en="Sending as an address on my own domain gives softfail",
        answer_ja=answer(
            """
独自ドメインの SPFレコードに当サービスの送信サーバーが載っていないためです。この組み合わせは
{change_date}の変更の前から softfail になっていました。
""",
            """
独自ドメインのアドレスで送るメールは、そのドメインのメールを扱う事業者の送信サーバーから送ってください。
当サービスのサーバーから送る場合は、当サービスのアドレスを送信元にしてください。
""",
            "ja",
        ),
        answer_en=answer(
            """
Your own domain's SPF record does not list our sending servers. This pair already gave softfail
before the {change_date} change.
""",
            """
Send your own domain's mail through the sending server of the provider that handles that domain.
Through our servers, send from one of our addresses.
""",
            "en",
        ),
        topics=("outside_service", "always_failing"),
    ),
    DemoFaq(
        slug="single-contract",
        category="several-addresses",
        position=30,
        question_ja="1契約だけ利用しています。設定を変える必要はありますか",
        question_en="I have a single contract. Do I need to change anything?",
        answer_ja=answer(
            """
1契約だけの場合、ログインできるアカウントは一つで、通常はそのアドレスを送信元にしているため、
{change_date}の変更の影響はありません。
""",
            """
必要な作業はありません。念のため確かめたい場合は、[メール設定セルフチェック](/check/) をお使いください。
""",
            "ja",
        ),
        answer_en=answer(
            """
With a single contract you have one account to log in with, and you normally send from its
address, so the {change_date} change does not affect you.
""",
            """
Nothing. To be sure, try the [settings check](/en/check/).
""",
            "en",
        ),
        related_to_change=True,
    ),
]

EXTRA_NOTICES = [
    {
        "slug": "self-check-opened",
        "title_ja": "メール設定セルフチェックを公開しました",
        "title_en": "The mail settings self-check is open",
        "body_ja": DEMO_NOTE_JA
        + "アカウント名とメールアドレスを入力するだけで、受信側の SPF 判定がどうなるかを、"
        "メールを送らずに確かめられる [メール設定セルフチェック](/check/) を公開しました。",
        "body_en": DEMO_NOTE_EN
        + "Type your account name and mail address into the [settings check](/en/check/) to see "
        "what the recipient's SPF check will say, without sending any mail.",
        "category": Notice.Category.INFORMATION,
        "importance": Notice.Importance.NORMAL,
        "publish_from": datetime.datetime(2014, 3, 3, 10, 0, tzinfo=JST),
    },
]


def load_demo_content() -> list[str]:
    """Create what is missing, by slug; never overwrite a row staff may have edited.
    Returns the slugs created."""
    created: list[str] = []
    topics = {t.code: t for t in CheckTopic.objects.all()}
    notice, made = Notice.objects.get_or_create(
        slug=CHANGE_NOTICE_SLUG,
        defaults={
            "title_ja": "メールアドレスとアカウント名が異なるメールの送信経路を変更します（3月25日）",
            "title_en": "From 25 March: new sending route when the sender differs from your account",
            "body_ja": CHANGE_NOTICE_JA,
            "body_en": CHANGE_NOTICE_EN,
            "category": Notice.Category.SPEC_CHANGE,
            "importance": Notice.Importance.IMPORTANT,
            "publish_from": datetime.datetime(2014, 2, 24, 10, 0, tzinfo=JST),
            "is_draft": False,
        },
    )
    if made:
        created.append(notice.slug)
        notice.check_topics.set(
            topics[code]
            for code in ("newly_failing", "mailbox_differs", "domain_differs")
            if code in topics
        )
        notice.service_domains.set(ServiceDomain.objects.all())
    for extra in EXTRA_NOTICES:
        row, made = Notice.objects.get_or_create(
            slug=extra["slug"], defaults={**extra, "is_draft": False}
        )
        if made:
            created.append(row.slug)
    categories = {}
    for cat in CATEGORIES:
        categories[cat.slug], made = FaqCategory.objects.get_or_create(
            slug=cat.slug,
            defaults={"name_ja": cat.name_ja, "name_en": cat.name_en, "position": cat.position},
        )
        if made:
            created.append(cat.slug)
    for faq in FAQ:
        entry, made = FaqEntry.objects.get_or_create(
            slug=faq.slug,
            defaults={
                "category": categories[faq.category],
                "question_ja": faq.question_ja,
                "question_en": faq.question_en,
                "answer_ja": faq.answer_ja,
                "answer_en": faq.answer_en,
                "position": faq.position,
                "is_published": True,
            },
        )
        if made:
            created.append(entry.slug)
            entry.check_topics.set(topics[code] for code in faq.topics if code in topics)
            if faq.related_to_change:
                entry.related_notices.add(notice)
    return created
