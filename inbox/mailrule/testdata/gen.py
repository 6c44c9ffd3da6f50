# Writes the fixture mails: invented notices in the platforms' style,
# worded for these tests. Run: python3 gen.py (from testdata/).
import base64, quopri

def hdr_iso2022(s):
    return "=?ISO-2022-JP?B?" + base64.b64encode(s.encode("iso2022_jp")).decode() + "?="

def hdr_utf8(s):
    return "=?UTF-8?B?" + base64.b64encode(s.encode("utf-8")).decode() + "?="

def write(name, text):
    with open(name, "wb") as f:
        f.write(text.replace("\n", "\r\n").encode("ascii") if isinstance(text, str) else text)

# 1. New order, ISO-2022-JP plain text (the classic Japanese mail), mbox From line first.
body = """roomwatch_seller さん

あなたのサービスに新しい購入がありました。
48時間以内に最初のメッセージを送りましょう。

サービス名：ロゴデザイン 3案
購入者：yamada_hanako さん

トークルーム
https://coconala.com/talkrooms/4100001

※このメールは送信専用です。
"""
write("coconala-order-iso2022jp.eml",
"From noreply@coconala.com Sat Nov 21 10:00:05 2026\n"
"Return-Path: <noreply@coconala.com>\n"
"From: " + hdr_iso2022("ココナラ") + " <noreply@coconala.com>\n"
"To: seller@example.com\n"
"Subject: " + hdr_iso2022("【ココナラ】サービスが購入されました") + "\n"
"Date: Sat, 21 Nov 2026 10:00:00 +0900\n"
"Message-ID: <order-4100001@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=ISO-2022-JP\n"
"Content-Transfer-Encoding: 7bit\n"
"\n" + body.encode("iso2022_jp").decode("ascii"))

# 2. Buyer message, UTF-8 multipart/alternative, quoted-printable plain + HTML.
plain = """roomwatch_seller さん

購入者からトークルームにメッセージが届きました。
内容を確認して返信しましょう。

https://coconala.com/talkrooms/4100002
"""
htmlpart = """<html><body><p>購入者からトークルームにメッセージが届きました。</p>
<p><a href="https://coconala.com/talkrooms/4100002">トークルームを開く</a></p></body></html>
"""
qp = lambda s: quopri.encodestring(s.encode("utf-8")).decode("ascii")
write("coconala-message-multipart.eml",
"From: noreply@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】メッセージが届きました") + "\n"
"Date: Mon, 23 Nov 2026 21:15:30 +0900\n"
"Message-ID: <msg-4100002-1@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: multipart/alternative; boundary=\"b1\"\n"
"\n--b1\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(plain) +
"\n--b1\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(htmlpart) +
"\n--b1--\n")

# 3. Approval, HTML only, base64: the room is named only by the button's link.
htmlonly = """<!DOCTYPE html><html><head><style>p{color:#333}</style></head><body>
<table><tr><td><p>購入者が正式な納品を承認しました。取引は完了です。</p>
<p>お疲れさまでした。購入者の評価もお忘れなく。</p>
<a href='https://coconala.com/talkrooms/4100003' style="display:block">取引画面を見る</a></td></tr></table>
</body></html>
"""
b64 = base64.encodebytes(htmlonly.encode("utf-8")).decode("ascii")
write("coconala-approved-html.eml",
"From: \"coconala\" <info@mail.coconala.com>\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】納品が承認されました") + "\n"
"Date: Tue, 24 Nov 2026 08:00:00 +0900\n"
"Message-ID: <approved-4100003@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/html; charset=\"utf-8\"\n"
"Content-Transfer-Encoding: base64\n\n" + b64)

# 4. Cancellation request, multipart/mixed with an attachment that names another room.
attach = base64.encodebytes(b"%PDF-1.4 see https://coconala.com/talkrooms/9999999 \n").decode("ascii")
text = """購入者からキャンセルリクエストが届きました。
24時間以内に、同意するか差し戻すかを選んでください。
https://coconala.com/talkrooms/4100004
"""
write("coconala-cancel-request-attachment.eml",
"From: noreply@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】キャンセルリクエストが届きました") + "\n"
"Date: Wed, 25 Nov 2026 13:40:00 +0900\n"
"Message-ID: <cancelreq-4100004@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: multipart/mixed; boundary=\"mix\"\n"
"\n--mix\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" +
base64.encodebytes(text.encode("utf-8")).decode("ascii") +
"\n--mix\nContent-Type: application/pdf; name=\"guide.pdf\"\nContent-Disposition: attachment; filename=\"guide.pdf\"\nContent-Transfer-Encoding: base64\n\n" + attach +
"\n--mix--\n")

# 5. Cancellation, ISO-2022-JP.
text = """取引がキャンセルされました。
トークルームの内容は一定期間後に見られなくなります。必要なファイルは保存してください。
https://coconala.com/talkrooms/4100005
"""
write("coconala-cancelled-iso2022jp.eml",
"From: noreply@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_iso2022("【ココナラ】取引がキャンセルされました") + "\n"
"Date: Thu, 26 Nov 2026 09:30:00 +0900\n"
"Message-ID: <cancelled-4100005@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=iso-2022-jp\n"
"Content-Transfer-Encoding: 7bit\n\n" + text.encode("iso2022_jp").decode("ascii"))

# 6. Rating.
text = "購入者から評価が届きました。あなたも購入者を評価しましょう。\nhttps://coconala.com/talkrooms/4100006\n"
write("coconala-rated.eml",
"From: noreply@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】評価が届きました") + "\n"
"Date: Fri, 27 Nov 2026 18:05:00 +0900\n"
"Message-ID: <rated-4100006@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text.encode("utf-8")).decode("ascii"))

# 7. A newsletter from the platform: no rule.
text = "今週の人気サービスをご紹介します。\nhttps://coconala.com/categories/1\n"
write("coconala-newsletter.eml",
"From: news@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("今週のおすすめサービス") + "\n"
"Date: Fri, 27 Nov 2026 12:00:00 +0900\n"
"Message-ID: <news-20261127@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text.encode("utf-8")).decode("ascii"))

# 8. Look-alike sender with a purchase subject: not the platform, no rule.
text = "新しい購入がありました。\nhttps://coconala.com/talkrooms/4100008\n"
write("lookalike-sender.eml",
"From: support@coconala.com.example.net\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】サービスが購入されました") + "\n"
"Date: Fri, 27 Nov 2026 12:00:00 +0900\n"
"Message-ID: <fake-1@example.net>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text.encode("utf-8")).decode("ascii"))

# 9. Fiverr buyer message, English, no Date header (the server's time is used).
write("fiverr-message-nodate.eml",
"From: Fiverr <noreply@e.fiverr.com>\n"
"To: seller@example.com\n"
"Subject: You have a new message from buyer_lee\n"
"Message-ID: <fvr-msg-77@e.fiverr.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=us-ascii\n\n"
"buyer_lee wrote about your order.\n"
"View the order: https://www.fiverr.com/orders/FO5A1B2C3D4E/activities\n")

# 10. A mail dated in the future (a sender's clock ahead): bounded by now.
write("coconala-message-future.eml",
"From: noreply@coconala.com\n"
"To: seller@example.com\n"
"Subject: " + hdr_utf8("【ココナラ】メッセージが届きました") + "\n"
"Date: Fri, 01 Jan 2100 00:00:00 +0900\n"
"Message-ID: <future-1@mail.coconala.example>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n\n"
"https://coconala.com/talkrooms/4100010\n")
