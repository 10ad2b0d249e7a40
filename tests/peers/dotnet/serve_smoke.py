#!/usr/bin/env python3
"""Drive `Oracle.exe serve` the way the Rust tests will (reference client for the line protocol).

Usage: serve_smoke.py <build-dir> <fixtures-dir>
Cases: ping; a seed sample comes back byte for byte; the PROVIDER-FACTS members (Customer City/Phone/State,
SplitPayGroupId, PostedAmount) survive when written in their slots; a member written out of order is
silently dropped by the real reader (the failure mode the oracle exists to catch); nil on a non-nullable
decimal and an unknown type are errors; quit.
"""
import base64, re, subprocess, sys

build, fixtures = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["mono", build + "/Oracle.exe", "serve", build + "/Contracts.dll"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)

def ask(line):
    p.stdin.write(line + "\n"); p.stdin.flush()
    return p.stdout.readline().rstrip("\n")

def roundtrip(contract, xml):
    r = ask("roundtrip %s %s" % (contract, base64.b64encode(xml.encode("utf-8")).decode("ascii")))
    if r.startswith("ok "):
        return True, base64.b64decode(r[3:]).decode("utf-8")
    return False, r

def flat(s):
    return re.sub(r">\s+<", "><", s.strip())

fails = []
def expect(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        fails.append(name)

ready = p.stdout.readline().strip()
expect("ready line", ready.startswith("ready processone-dcs-oracle 1 "), ready)
expect("ping", ask("ping") == "pong")
types = ask("types")
expect("types lists 76 contracts", types.startswith("ok ") and len(types.split()) - 1 == 76, types[:200])

req = open(fixtures + "/xml/CreditCard.ChargeCreditCardRequest.xml", encoding="utf-8").read()
ok, out = roundtrip("CreditCard.ChargeCreditCardRequest", req)
expect("seed ChargeCreditCardRequest byte for byte", ok and out == flat(req), out)

pf = flat(req).replace("<d3p1:Address>test address</d3p1:Address>",
                       "<d3p1:Address>test address</d3p1:Address><d3p1:City>Columbia</d3p1:City>") \
              .replace("<d3p1:Name>John Stevens</d3p1:Name>",
                       "<d3p1:Name>John Stevens</d3p1:Name><d3p1:Phone>8035550100</d3p1:Phone><d3p1:State>SC</d3p1:State>") \
              .replace("<Save>false</Save>", "<Save>false</Save><SplitPayGroupId>grp-1</SplitPayGroupId>")
ok, out = roundtrip("CreditCard.ChargeCreditCardRequest", pf)
expect("PROVIDER-FACTS request members kept in their slots", ok and out == pf, out)

resp = flat(open(fixtures + "/xml/CreditCard.ChargeCreditCardResponse.xml", encoding="utf-8").read())
pr = resp.replace("<HolderZip>12345</HolderZip>", "<HolderZip>12345</HolderZip><PostedAmount>20.00</PostedAmount>")
ok, out = roundtrip("CreditCard.ChargeCreditCardResponse", pr)
expect("PostedAmount kept (scale 20.00 preserved)", ok and out == pr, out)

moved = flat(req).replace("<Amount>20.00</Amount>", "").replace("<CallbackId i:nil=\"true\" />", "<CallbackId i:nil=\"true\" /><Amount>20.00</Amount>")
ok, out = roundtrip("CreditCard.ChargeCreditCardRequest", moved)
expect("Amount after CallbackId is silently read as 0", ok and "<Amount>0</Amount>" in out, out)

bad = ('<ChargeCreditCardRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
       'xmlns="http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts.CreditCard">'
       '<Amount i:nil="true" /></ChargeCreditCardRequest>')
ok, out = roundtrip("CreditCard.ChargeCreditCardRequest", bad)
expect("nil on a non-nullable decimal is an error", not ok and out.startswith("error "), out)
ok, out = roundtrip("Nope.Nothing", bad)
expect("unknown contract type is an error", not ok and out.startswith("error "), out)
expect("quit", ask("quit") == "bye")
p.wait(timeout=30)
print("serve: %s (%d cases failed)" % ("OK" if not fails else "FAIL", len(fails)))
sys.exit(1 if fails else 0)
