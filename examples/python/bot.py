#!/usr/bin/env python3
"""A minimal tradestore bot using only the Python standard library.

It authenticates with an API key, records a buy signal with "act": true (the server runs the
whole chain: trade idea, risk gate, and when the gate auto-executes it, the order and a paper
fill), then prints its position and P&L. Money travels as decimal strings and is read back into
decimal.Decimal, never float.

    TRADESTORE_URL=http://127.0.0.1:8080 TRADESTORE_API_KEY=tsk_... \\
      python3 examples/python/bot.py --portfolio-id 1 --strategy-id 1 --asset-id 1 \\
        --price 42000.5 --quantity 0.01 --confidence 0.8
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from decimal import Decimal


class TradestoreError(Exception):
    def __init__(self, status, body):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"HTTP {status} {error.get('code', '')}: {error.get('message', body)}")
        self.status = status
        self.code = error.get("code")


class Tradestore:
    def __init__(self, base_url, api_key):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.api_key}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8")
            try:
                raise TradestoreError(error.code, json.loads(text)) from None
            except json.JSONDecodeError:
                raise TradestoreError(error.code, text) from None
        # Decimal strings stay strings in JSON; parse_float guards any number that is not.
        return json.loads(text, parse_float=Decimal) if text else None


def main(argv=None):
    parser = argparse.ArgumentParser(description="record a signal with act: true and print the position and P&L")
    parser.add_argument("--url", default=os.environ.get("TRADESTORE_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--portfolio-id", type=int, required=True)
    parser.add_argument("--strategy-id", type=int, required=True)
    parser.add_argument("--asset-id", type=int, required=True)
    parser.add_argument("--action", choices=["buy", "sell"], default="buy")
    parser.add_argument("--price", required=True, help="decimal string, e.g. 42000.5")
    parser.add_argument("--quantity", required=True, help="decimal string, e.g. 0.01")
    parser.add_argument("--confidence", type=float, default=0.8)
    parser.add_argument("--fee", default="0")
    args = parser.parse_args(argv)
    api_key = os.environ.get("TRADESTORE_API_KEY")
    if not api_key:
        print("set TRADESTORE_API_KEY to an API key (POST /api-keys)", file=sys.stderr)
        return 2

    api = Tradestore(args.url, api_key)
    me = api.request("GET", "/auth/me")
    print(f"authenticated as {me['email']} ({me['role']}, scopes {','.join(me['scopes'])})")

    # Validate the decimals locally too: a typo should not reach the server as a price.
    price, quantity = Decimal(args.price), Decimal(args.quantity)
    result = api.request(
        "POST",
        "/signals",
        {
            "portfolio_id": args.portfolio_id,
            "strategy_id": args.strategy_id,
            "asset_id": args.asset_id,
            "action": args.action,
            "price": str(price),
            "quantity": str(quantity),
            "confidence": args.confidence,
            "reason": "example bot",
            "act": True,
            "fill": {"fee": str(Decimal(args.fee))},
        },
    )
    idea = result["idea"]
    print(f"signal {result['signal']['id']}: idea {idea['id'] if idea else '-'} {result['verdict']}")
    if result["order"]:
        order = result["order"]
        print(f"order {order['id']} {order['status']} filled {order['filled_quantity']} at {order['average_fill_price']}")

    positions = api.request("GET", f"/positions?portfolio_id={args.portfolio_id}&asset_id={args.asset_id}")["data"]
    for position in positions:
        print(
            f"position {position['side']} {Decimal(position['quantity'])} @ {Decimal(position['average_entry_price'])}"
            f" cost {Decimal(position['cost_basis'])} realized {Decimal(position['realized_pnl'])}"
        )
    if not positions:
        print("position flat")
    profit = api.request("GET", f"/stats/profit?portfolio_id={args.portfolio_id}")
    print(f"P&L closed {Decimal(profit['profit'])} fees {Decimal(profit['fees'])} open trades {profit['open_trades']}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TradestoreError as error:
        print(f"tradestore refused: {error}", file=sys.stderr)
        sys.exit(1)
