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


if __name__ == "__main__":
    main()
