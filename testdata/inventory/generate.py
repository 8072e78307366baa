#!/usr/bin/env python3
"""Writes the Exchange exports the inventory tests read, in the shapes PowerShell gives them.

A made-up organisation, contoso.com, with two Exchange servers (EX01, EX02). Format-List text is
laid out as PowerShell's formatter does it: names padded to the longest, " : ", values wrapped at
the window width after a word's trailing space (which stays on the line), `{a, b, c, d...}` lists
cut at $FormatEnumerationLimit (4). Encodings as the shells write them: Windows PowerShell's `>`
is UTF-16LE with a BOM and CRLF; PowerShell 7 writes UTF-8 without a BOM.

Run from this directory: python3 generate.py
"""

import json

WIDTH = 120          # the console window the exports were taken in
ENUMERATION_LIMIT = 4


def fl_list(items):
    shown = items[:ENUMERATION_LIMIT]
    return "{" + ", ".join(shown) + ("..." if len(items) > ENUMERATION_LIMIT else "") + "}"


def wrap(first_width, following_width, text):
    """PowerShell's word wrap: each word keeps its trailing space; a word that does not fit starts a
    new line; a word wider than a whole line is cut at the width."""
    lines, line, left, width = [], "", first_width, first_width
    words = text.split(" ")
    for i, word in enumerate(words):
        piece = word + (" " if i + 1 < len(words) else "")
        if len(piece) > width:
            for ch in piece:
                if left < 1:
                    lines.append(line)
                    line, width = "", following_width
                    left = width
                line += ch
                left -= 1
        elif len(piece) > left:
            lines.append(line)
            line, width = piece, following_width
            left = width - len(piece)
        else:
            line += piece
            left -= len(piece)
    lines.append(line)
    return lines


def format_list(records, names):
    pad = max(len(n) for n in names)
    out = ["", ""]
    for record in records:
        for name in names:
            value = record.get(name, "")
            if isinstance(value, list):
                value = fl_list(value)
            head = name.ljust(pad) + " : "
            if not value:
                out.append(name.ljust(pad) + " :")
                continue
            wrapped = wrap(WIDTH - len(head), WIDTH - len(head), value)
            out.append(head + wrapped[0])
            out.extend(" " * len(head) + rest for rest in wrapped[1:])
        out.append("")
    out.append("")
    return out


def write(path, lines, encoding, newline="\r\n", bom=False):
    text = newline.join(lines) + newline
    data = text.encode(encoding)
    if bom:
        data = {"utf-16-le": b"\xff\xfe", "utf-8": b"\xef\xbb\xbf"}[encoding] + data
    with open(path, "wb") as f:
        f.write(data)


CA = "CN=Contoso Issuing CA 01, DC=corp, DC=contoso, DC=com"
MAIL_SUBJECT = 'CN=mail.contoso.com, OU=Messaging, O="Contoso, Ltd.", L=Redmond, S=Washington, C=US'
ACCESS = ["System.Security.AccessControl.CryptoKeyAccessRule"] * 5

CERTIFICATES = [
    # EX01: the CA-issued certificate for mail.contoso.com (five names: the list is cut at four).
    dict(server="EX01.corp.contoso.com", Thumbprint="3F1A6C0E5D2B4A7980C1D2E3F4A5B6C7D8E9F0A1",
         CertificateDomains=["mail.contoso.com", "autodiscover.contoso.com", "owa.contoso.com", "smtp.contoso.com",
                             "legacy.contoso.com"],
         HasPrivateKey="True", IsSelfSigned="False", Issuer=CA, NotAfter="3/1/2027 11:59:59 PM",
         NotBefore="3/1/2026 12:00:00 AM", Services="IIS, SMTP", Subject=MAIL_SUBJECT, FriendlyName="mail 2026",
         RootCAType="Enterprise", SerialNumber="6100000012A4C1D2E3F40500000000012A", PublicKeySize="2048"),
    # EX01: a newer self-signed one for the same name: the CA-issued one still wins.
    dict(server="EX01.corp.contoso.com", Thumbprint="B7C2D94E10F3A5867C9D0E1F2A3B4C5D6E7F8091",
         CertificateDomains=["mail.contoso.com"], HasPrivateKey="True", IsSelfSigned="True",
         Issuer="CN=mail.contoso.com", NotAfter="6/15/2031 9:30:00 AM", NotBefore="6/15/2026 9:30:00 AM",
         Services="SMTP", Subject="CN=mail.contoso.com", FriendlyName="test self-signed", RootCAType="None",
         SerialNumber="1C4F2A7B9D3E5C6A4B8E2D1F0A9C7B65", PublicKeySize="2048"),
    # EX01: the renewal, imported without its private key.
    dict(server="EX01.corp.contoso.com", Thumbprint="C90E13A7F4D25B6E8A1C3D5F7092B4D6E8F0A2C4",
         CertificateDomains=["mail.contoso.com", "autodiscover.contoso.com"], HasPrivateKey="False",
         IsSelfSigned="False", Issuer=CA, NotAfter="10/1/2027 11:59:59 PM", NotBefore="10/1/2026 12:00:00 AM",
         Services="None", Subject=MAIL_SUBJECT, FriendlyName="mail 2027 (no key)", RootCAType="Enterprise",
         SerialNumber="6100000034B6D8F0A2C40700000000034B", PublicKeySize="2048"),
    # EX01: Exchange's self-signed default.
    dict(server="EX01.corp.contoso.com", Thumbprint="D4E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1B",
         CertificateDomains=["EX01", "EX01.corp.contoso.com"], HasPrivateKey="True", IsSelfSigned="True",
         Issuer="CN=EX01", NotAfter="1/10/2029 8:00:00 AM", NotBefore="1/10/2024 8:00:00 AM",
         Services="IMAP, POP, IIS, SMTP", Subject="CN=EX01", FriendlyName="Microsoft Exchange", RootCAType="None",
         SerialNumber="4A2F9B8C7D6E5F40", PublicKeySize="2048"),
    dict(server="EX01.corp.contoso.com", Thumbprint="E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718",
         CertificateDomains=["WMSvc-SHA2-EX01"], HasPrivateKey="True", IsSelfSigned="True",
         Issuer="CN=WMSvc-SHA2-EX01", NotAfter="1/7/2034 10:12:00 AM", NotBefore="1/10/2024 10:12:00 AM",
         Services="None", Subject="CN=WMSvc-SHA2-EX01", FriendlyName="WMSVC-SHA2", RootCAType="None",
         SerialNumber="2B7C6D5E4F3A2B1C", PublicKeySize="2048"),
    dict(server="EX01.corp.contoso.com", Thumbprint="F0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3",
         CertificateDomains=[], HasPrivateKey="True", IsSelfSigned="True",
         Issuer="CN=Microsoft Exchange Server Auth Certificate", NotAfter="12/14/2028 7:00:00 AM",
         NotBefore="1/10/2024 7:00:00 AM", Services="SMTP", Subject="CN=Microsoft Exchange Server Auth Certificate",
         FriendlyName="Microsoft Exchange Server Auth Certificate", RootCAType="None",
         SerialNumber="5E6F7A8B9C0D1E2F", PublicKeySize="2048"),
    # EX02: an expired SMTP certificate beside a newer one without SMTP.
    dict(server="EX02.corp.contoso.com", Thumbprint="0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D",
         CertificateDomains=["mail.contoso.com"], HasPrivateKey="True", IsSelfSigned="False", Issuer=CA,
         NotAfter="3/1/2025 11:59:59 PM", NotBefore="3/1/2024 12:00:00 AM", Services="IIS, SMTP",
         Subject=MAIL_SUBJECT, FriendlyName="mail 2024", RootCAType="Enterprise",
         SerialNumber="61000000077A9C1E3F50900000000077A", PublicKeySize="2048"),
    dict(server="EX02.corp.contoso.com", Thumbprint="1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E",
         CertificateDomains=["mail.contoso.com", "webmail.contoso.com"], HasPrivateKey="True",
         IsSelfSigned="False", Issuer=CA, NotAfter="3/5/2027 11:59:59 PM", NotBefore="3/5/2025 12:00:00 AM",
         Services="IIS", Subject="CN=mail.contoso.com, O=\"Contoso, Ltd.\", C=US", FriendlyName="mail 2025 (IIS)",
         RootCAType="Enterprise", SerialNumber="6100000088B0D2F4A6C80A0000000088B", PublicKeySize="2048"),
    dict(server="EX02.corp.contoso.com", Thumbprint="2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F",
         CertificateDomains=["EX02", "EX02.corp.contoso.com"], HasPrivateKey="True", IsSelfSigned="True",
         Issuer="CN=EX02", NotAfter="2/2/2029 8:00:00 AM", NotBefore="2/2/2024 8:00:00 AM",
         Services="IMAP, POP, IIS, SMTP", Subject="CN=EX02", FriendlyName="Microsoft Exchange", RootCAType="None",
         SerialNumber="7C8D9E0F1A2B3C4D", PublicKeySize="2048"),
]

CERT_FIELDS = ["AccessRules", "CertificateDomains", "HasPrivateKey", "IsSelfSigned", "Issuer", "NotAfter",
               "NotBefore", "PublicKeySize", "RootCAType", "SerialNumber", "Services", "Status", "Subject",
               "Thumbprint", "Archived", "FriendlyName", "PrivateKeyExportable", "Identity", "IsValid"]

TLS = "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer"
RECEIVE = [
    dict(Name="Default EX01", Fqdn="EX01.corp.contoso.com", Bindings=["0.0.0.0:2525", "[::]:2525"],
         AuthMechanism=TLS, Server="EX01", TransportRole="HubTransport"),
    dict(Name="Client Proxy EX01", Fqdn="EX01.corp.contoso.com", Bindings=["[::]:465", "0.0.0.0:465"],
         AuthMechanism=TLS, Server="EX01", TransportRole="HubTransport"),
    dict(Name="Default Frontend EX01", Fqdn="mail.contoso.com", Bindings=["[::]:25", "0.0.0.0:25"],
         AuthMechanism=TLS, TlsCertificateName="<I>" + CA + "<S>" + MAIL_SUBJECT, Server="EX01",
         TransportRole="FrontendTransport"),
    dict(Name="Outbound Proxy Frontend EX01", Fqdn="EX01.corp.contoso.com", Bindings=["[::]:717", "0.0.0.0:717"],
         AuthMechanism=TLS, Server="EX01", TransportRole="FrontendTransport"),
    dict(Name="Client Frontend EX01", Fqdn="mail.contoso.com", Bindings=["[::]:587", "0.0.0.0:587"],
         AuthMechanism="Tls, Integrated, BasicAuth, BasicAuthRequireTLS", Server="EX01",
         TransportRole="FrontendTransport"),
    dict(Name="Default Frontend EX02", Fqdn="", Bindings=["[::]:25", "0.0.0.0:25"], AuthMechanism=TLS,
         Server="EX02", TransportRole="FrontendTransport"),
    dict(Name="Client Frontend EX02", Fqdn="mail.contoso.com", Bindings=["[::]:587", "0.0.0.0:587"],
         AuthMechanism="Tls, Integrated, BasicAuth, BasicAuthRequireTLS", Server="EX02",
         TransportRole="FrontendTransport"),
    dict(Name="App Relay EX02", Fqdn="relay.contoso.com", Bindings=["10.0.0.12:25"], AuthMechanism="None",
         Server="EX02", TransportRole="FrontendTransport"),
    dict(Name="Partner EX02", Fqdn="partner.contoso.com", Bindings=["10.0.0.12:2526"], AuthMechanism="Tls",
         Server="EX02", TransportRole="FrontendTransport"),
    dict(Name="Webmail Relay EX02", Fqdn="webmail.contoso.com", Bindings=["10.0.0.13:25"], AuthMechanism="Tls",
         Server="EX02", TransportRole="FrontendTransport"),
]
RECEIVE_FIELDS = ["Name", "Fqdn", "Bindings", "AuthMechanism", "TlsCertificateName", "Server", "TransportRole"]

SEND = [
    dict(Name="Internet Outbound", Fqdn="mail.contoso.com", SourceTransportServers=["EX01", "EX02"],
         IgnoreSTARTTLS="False", AddressSpaces=["SMTP:*;1"], RequireTLS="False"),
    dict(Name="Legacy Relay", Fqdn="", SourceTransportServers=["EX01"], IgnoreSTARTTLS="True",
         AddressSpaces=["SMTP:legacy.fabrikam.com;1"], RequireTLS="False"),
]
SEND_FIELDS = ["Name", "Fqdn", "TlsCertificateName", "SourceTransportServers", "IgnoreSTARTTLS", "AddressSpaces",
               "RequireTLS"]

SERVERS = [
    dict(Name="EX01", Fqdn="EX01.corp.contoso.com", ServerRole="Mailbox", AdminDisplayVersion="Version 15.2 (Build 1544.4)"),
    dict(Name="EX02", Fqdn="EX02.corp.contoso.com", ServerRole="Mailbox", AdminDisplayVersion="Version 15.2 (Build 1544.4)"),
]


def certificate_record(c):
    r = dict(c)
    r["AccessRules"] = ACCESS
    r["Status"] = "Valid"
    r["Archived"] = "False"
    r["PrivateKeyExportable"] = "False" if c["HasPrivateKey"] == "True" else ""
    r["Identity"] = c["server"] + "\\" + c["Thumbprint"]
    r["IsValid"] = "True"
    return r


def main():
    write("receive-connectors.txt", format_list(RECEIVE, RECEIVE_FIELDS), "utf-16-le", bom=True)
    write("certificates.txt", format_list([certificate_record(c) for c in CERTIFICATES], CERT_FIELDS), "utf-8")
    write("send-connectors.txt", format_list(SEND, SEND_FIELDS), "utf-8", bom=True)
    write("servers.txt", format_list(SERVERS, ["Name", "Fqdn", "ServerRole", "AdminDisplayVersion"]), "utf-16-le",
          bom=True)

    # ConvertTo-Json: Windows PowerShell 5.1 writes dates as \/Date(ms)\/ (and wraps a date that
    # carries note properties as {"value": ..., "DisplayHint": ..., "DateTime": ...}); PowerShell 7
    # writes ISO 8601. Lists are arrays; the server is an ADObjectId object in the receive connectors.
    import calendar
    import datetime

    def ms(text):
        d = datetime.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")
        return calendar.timegm(d.timetuple()) * 1000

    ps5 = []
    for i, c in enumerate(CERTIFICATES):
        r = {k: v for k, v in certificate_record(c).items() if k in CERT_FIELDS}
        r["CertificateDomains"] = c["CertificateDomains"]  # JSON is never cut short
        r["AccessRules"] = [{"FileSystemRights": 131209}]
        r["HasPrivateKey"] = c["HasPrivateKey"] == "True"
        r["IsSelfSigned"] = c["IsSelfSigned"] == "True"
        for key in ("NotAfter", "NotBefore"):
            r[key] = "/Date(%d)/" % ms(c[key])
        if i == 0:
            r["NotAfter"] = {"value": r["NotAfter"], "DisplayHint": 2, "DateTime": "Monday, March 1, 2027 11:59:59 PM"}
        r["PublicKeySize"] = int(c["PublicKeySize"])
        ps5.append(r)
    with open("certificates-ps5.json", "wb") as f:
        f.write(b"\xef\xbb\xbf" + json.dumps(ps5, indent=4).replace("/Date(", "\\/Date(").replace(")/", ")\\/")
                .replace("\n", "\r\n").encode("utf-8"))

    ps7 = []
    for c in CERTIFICATES:
        r = {k: v for k, v in certificate_record(c).items() if k in CERT_FIELDS}
        r["CertificateDomains"] = c["CertificateDomains"]
        r["AccessRules"] = []
        r["HasPrivateKey"] = c["HasPrivateKey"] == "True"
        r["IsSelfSigned"] = c["IsSelfSigned"] == "True"
        for key in ("NotAfter", "NotBefore"):
            d = datetime.datetime.strptime(c[key], "%m/%d/%Y %I:%M:%S %p")
            r[key] = d.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if key == "NotBefore" else "+00:00")
        ps7.append(r)
    with open("certificates-ps7.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(ps7, indent=2) + "\n")

    receive = []
    for c in RECEIVE:
        r = dict(c)
        r["Server"] = {"Name": c["Server"], "DistinguishedName": "CN=%s,CN=Servers,CN=Exchange Administrative Group "
                       "(FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,"
                       "CN=Configuration,DC=corp,DC=contoso,DC=com" % c["Server"]}
        r["TlsCertificateName"] = c.get("TlsCertificateName") or None
        r["Identity"] = c["Server"] + "\\" + c["Name"]
        receive.append(r)
    with open("receive-connectors-ps7.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(receive, indent=2) + "\n")


# ---- Dates in other cultures: Format-List prints the short date and long time of the session's culture.

def culture_date(text, culture):
    import datetime
    d = datetime.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")
    h12 = d.hour % 12 or 12
    return {
        "en-GB": d.strftime("%d/%m/%Y %H:%M:%S"),
        "en-AU": "%d/%02d/%d %d:%02d:%02d %s" % (d.day, d.month, d.year, h12, d.minute, d.second,
                                                "pm" if d.hour >= 12 else "am"),
        "de-DE": d.strftime("%d.%m.%Y %H:%M:%S"),
        "ja-JP": "%d/%02d/%02d %d:%02d" % (d.year, d.month, d.day, d.hour, d.minute),  # no seconds
    }[culture]


def write_cultures():
    for culture in ("en-GB", "en-AU", "de-DE", "ja-JP"):
        records = []
        for c in CERTIFICATES:
            r = certificate_record(c)
            r["NotAfter"] = culture_date(c["NotAfter"], culture)
            r["NotBefore"] = culture_date(c["NotBefore"], culture)
            records.append(r)
        write("certificates-%s.txt" % culture, format_list(records, CERT_FIELDS), "utf-16-le", bom=True)
    # An Australian export whose every date reads both ways: 12/02/2026 is 12 February (en-AU), and
    # would be 2 December read month first. Only --date-order decides.
    ambiguous = dict(CERTIFICATES[0], Thumbprint="5D1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B", FriendlyName="mail au",
                     NotBefore="12/02/2026 9:00:00 am", NotAfter="12/02/2027 9:00:00 am", CertificateDomains=["mail.contoso.com"])
    write("certificates-en-AU-ambiguous.txt", format_list([certificate_record(ambiguous)], CERT_FIELDS), "utf-8")


# ---- A console window copied whole, and a forum paste.

PROMPT = "[PS] C:\\Windows\\system32>"


def write_console_session():
    lines = [PROMPT + "Get-ExchangeCertificate -Server EX01 | fl"]
    ex01 = [certificate_record(c) for c in CERTIFICATES if c["server"].startswith("EX01")]
    ex02 = [certificate_record(c) for c in CERTIFICATES if c["server"].startswith("EX02")]
    lines += format_list(ex01, CERT_FIELDS)
    lines += [PROMPT + "Get-ExchangeCertificate -Server EX02 | fl",
              "WARNING: An unexpected error has occurred and a Watson dump is being generated: The operation "
              "couldn't be performed because object 'EX03' couldn't be found on 'DC01.corp.contoso.com'."]
    lines += format_list(ex02, CERT_FIELDS)
    lines += [PROMPT + "Get-ReceiveConnector | fl " + ",".join(RECEIVE_FIELDS)]
    lines += format_list(RECEIVE, RECEIVE_FIELDS)
    lines += ["PS C:\\Users\\admin> Get-SendConnector | Format-List", "Get-SendConnector | Format-List"]
    lines += format_list(SEND, SEND_FIELDS)
    lines += [PROMPT + "Get-ExchangeServer | fl Name,Fqdn,ServerRole,AdminDisplayVersion",
              "VERBOSE: Searching for Exchange servers."]
    lines += format_list(SERVERS, ["Name", "Fqdn", "ServerRole", "AdminDisplayVersion"])
    lines += [PROMPT]
    write("console-session.txt", lines, "utf-8")


def write_forum_paste():
    # Each line a paragraph of its own (a blank line after it), trailing spaces trimmed on some and
    # added to others, as Microsoft Q&A and most forums keep a pasted console.
    out = []
    for i, line in enumerate(format_list(RECEIVE, RECEIVE_FIELDS)[2:]):
        if not line:
            continue
        out.append(line.rstrip() if i % 3 == 0 else line + "  ")
        out.append("")
    write("forum-paste.txt", out, "utf-8", newline="\n")


def write_some_fields():
    # `Get-ReceiveConnector | fl Name,Enabled,Bindings,RemoteIPRanges`: AuthMechanism not exported.
    records = [dict(Name=r["Name"], Enabled="True", Bindings=r["Bindings"], RemoteIPRanges=["::-ffff:ffff:ffff:ffff:"
               "ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"], Identity=r["Server"] + "\\" + r["Name"]) for r in RECEIVE[:4]]
    write("receive-connectors-some-fields.txt", format_list(records, ["Name", "Enabled", "Bindings", "RemoteIPRanges",
                                                                     "Identity"]), "utf-8")


# ---- Export-Clixml: PowerShell's serialization XML, as written from the Exchange Management Shell
# (a remote session: the objects are "Deserialized.", enums come with their ToString).

class Clixml:
    def __init__(self):
        self.ref = 0
        self.type_lists = {}

    def _refid(self):
        self.ref += 1
        return self.ref - 1

    def types(self, names):
        key = tuple(names)
        if key in self.type_lists:
            return '<TNRef RefId="%d" />' % self.type_lists[key]
        self.type_lists[key] = len(self.type_lists)
        return '<TN RefId="%d">%s</TN>' % (self.type_lists[key], "".join("<T>%s</T>" % esc(n) for n in names))

    def obj(self, name, types, inner):
        attr = ' N="%s"' % name if name else ""
        return '<Obj%s RefId="%d">%s%s</Obj>' % (attr, self._refid(), self.types(types), inner)

    def enum(self, name, type_name, shown, number):
        return self.obj(name, ["Deserialized." + type_name, "Deserialized.System.Enum", "Deserialized.System.ValueType",
                               "Deserialized.System.Object"], "<ToString>%s</ToString><I32>%d</I32>" % (esc(shown), number))

    def lst(self, name, type_name, items):
        return self.obj(name, ["Deserialized." + type_name, "Deserialized.System.Object"],
                        "<LST>%s</LST>" % "".join(items))


def esc(text):
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return "".join("_x%04X_" % ord(ch) if ord(ch) < 0x20 else ch for ch in out)


def s(name, value):
    return '<Nil N="%s" />' % name if value is None else '<S N="%s">%s</S>' % (name, esc(value))


def b(name, value):
    return '<B N="%s">%s</B>' % (name, "true" if value == "True" else "false")


def dt(text, offset_hours, fraction=""):
    import datetime
    d = datetime.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p") + datetime.timedelta(hours=offset_hours)
    sign = "+" if offset_hours >= 0 else "-"
    return d.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "%s%02d:00" % (sign, abs(offset_hours))


def document(objects):
    """Indented as Export-Clixml writes it: one element per line, no XML declaration."""
    import xml.dom.minidom
    compact = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">%s</Objs>' % \
              "".join(objects)
    pretty = xml.dom.minidom.parseString(compact).toprettyxml(indent="  ")
    return [line for line in pretty.split("\n")[1:] if line.strip()]


SERVICES = {"None": 0, "IMAP": 1, "POP": 2, "IIS": 8, "SMTP": 16}


def write_clixml():
    x = Clixml()
    certs = []
    for i, c in enumerate(CERTIFICATES):
        services = sum(SERVICES[name.strip()] for name in c["Services"].split(","))
        domains = x.lst("CertificateDomains", "Microsoft.Exchange.Data.SmtpDomainWithSubdomains[]",
                        [x.obj(None, ["Deserialized.Microsoft.Exchange.Data.SmtpDomainWithSubdomains",
                                      "Deserialized.System.Object"],
                               "<ToString>%s</ToString><Props>%s%s</Props>" % (esc(d), s("Domain", d),
                                                                              b("IncludeSubDomains", "False")))
                         for d in c["CertificateDomains"]])
        offset = -8 if i % 2 == 0 else 1  # the exporting machine's zone, as the serializer writes it
        props = [domains, b("HasPrivateKey", c["HasPrivateKey"]), b("IsSelfSigned", c["IsSelfSigned"]),
                 s("Issuer", c["Issuer"]),
                 '<DT N="NotAfter">%s</DT>' % dt(c["NotAfter"], offset),
                 '<DT N="NotBefore">%s</DT>' % dt(c["NotBefore"], offset, ".0000000" if i % 3 == 0 else ""),
                 '<I32 N="PublicKeySize">%s</I32>' % c["PublicKeySize"],
                 x.enum("RootCAType", "Microsoft.Exchange.Security.Cryptography.X509Certificates.CertificateRootCAType",
                        c["RootCAType"], 0),
                 s("SerialNumber", c["SerialNumber"]),
                 x.enum("Services", "Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices",
                        c["Services"], services),
                 x.enum("Status", "Microsoft.Exchange.Security.Cryptography.X509Certificates.CertificateStatus",
                        "Valid", 1),
                 s("Subject", c["Subject"]), s("Thumbprint", c["Thumbprint"]),
                 s("FriendlyName", c["FriendlyName"]),
                 x.obj("Identity", ["Deserialized.Microsoft.Exchange.Configuration.Tasks.ExchangeCertificateIdParameter",
                                    "Deserialized.System.Object"],
                       "<ToString>%s</ToString>" % esc(c["server"] + "\\" + c["Thumbprint"]))]
        certs.append(x.obj(None, ["Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate",
                                  "Deserialized.System.Security.Cryptography.X509Certificates.X509Certificate2",
                                  "Deserialized.System.Object"],
                           "<ToString>%s</ToString><Props>%s</Props><MS>%s</MS>" % (
                               esc("[Subject]\r\n  %s\r\n" % c["Subject"]), "".join(props), s("PSComputerName", c["server"].lower()))))
    write("certificates.clixml", document(certs), "utf-16-le", bom=True)

    x = Clixml()
    servers = {}
    receive = []
    for r in RECEIVE:
        if r["Server"] in servers:
            server = '<Ref N="Server" RefId="%d" />' % servers[r["Server"]]
        else:
            servers[r["Server"]] = x.ref
            server = x.obj("Server", ["Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId",
                                      "Deserialized.System.Object"],
                           "<ToString>%s</ToString><Props>%s</Props>" % (r["Server"], s("Name", r["Server"])))
        props = [s("Name", r["Name"]), x.obj("Fqdn", ["Deserialized.Microsoft.Exchange.Data.Fqdn",
                                                       "Deserialized.System.Object"],
                                              "<ToString>%s</ToString>" % r["Fqdn"]) if r["Fqdn"] else
                 '<Nil N="Fqdn" />',
                 x.lst("Bindings", "Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.IPBinding]]",
                       ["<S>%s</S>" % binding for binding in r["Bindings"]]),
                 x.enum("AuthMechanism", "Microsoft.Exchange.Data.AuthMechanisms", r["AuthMechanism"], 0),
                 s("TlsCertificateName", r.get("TlsCertificateName")), server,
                 x.enum("TransportRole", "Microsoft.Exchange.Data.ServerRole", r["TransportRole"], 0),
                 s("Comment", "Created by setup.\r\nDo not remove.") if r["Name"].startswith("Default") else
                 '<Nil N="Comment" />',
                 '<B N="Enabled">true</B>',
                 x.obj("Identity", ["Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId",
                                    "Deserialized.System.Object"],
                       "<ToString>%s</ToString>" % esc(r["Server"] + "\\" + r["Name"]))]
        receive.append(x.obj(None, ["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector",
                                    "Deserialized.System.Object"],
                             "<ToString>%s</ToString><Props>%s</Props>" % (esc(r["Name"]), "".join(props))))
    write("receive-connectors.clixml", document(receive), "utf-8", newline="\n")

    x = Clixml()
    send = []
    for c in SEND:
        props = [s("Name", c["Name"]),
                 x.obj("Fqdn", ["Deserialized.Microsoft.Exchange.Data.Fqdn", "Deserialized.System.Object"],
                       "<ToString>%s</ToString>" % c["Fqdn"]) if c["Fqdn"] else '<Nil N="Fqdn" />',
                 '<Nil N="TlsCertificateName" />',
                 x.lst("SourceTransportServers", "Microsoft.Exchange.Data.MultiValuedProperty`1[[ADObjectId]]",
                       [x.obj(None, ["Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId",
                                     "Deserialized.System.Object"], "<ToString>%s</ToString>" % name)
                        for name in c["SourceTransportServers"]]),
                 b("IgnoreSTARTTLS", c["IgnoreSTARTTLS"]),
                 x.lst("AddressSpaces", "Microsoft.Exchange.Data.MultiValuedProperty`1[[AddressSpace]]",
                       ["<S>%s</S>" % a for a in c["AddressSpaces"]]),
                 b("RequireTLS", c["RequireTLS"])]
        send.append(x.obj(None, ["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig",
                                 "Deserialized.System.Object"],
                          "<ToString>%s</ToString><Props>%s</Props>" % (esc(c["Name"]), "".join(props))))
    write("send-connectors.clixml", document(send), "utf-8", newline="\n")


if __name__ == "__main__":
    main()
    write_cultures()
    write_console_session()
    write_forum_paste()
    write_some_fields()
    write_clixml()
