"""The operator's commands, through `flask` (Click's runner on the real app)."""

import json

from tests.support.wc import customer, day, line, order


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_stores_add_never_prints_the_secret(runner):
    result = runner.invoke(
        args=[
            "stores",
            "add",
            "shop",
            "--url",
            "https://shop.example/",
            "--key",
            "ck_abc",
            "--secret",
            "cs_supersecret123",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "cs_supersecret123" not in result.output
    listing = runner.invoke(args=["stores", "list"])
    assert "https://shop.example" in listing.output and "cs_supersecret123" not in listing.output


def test_import_then_members_show_json_explains_the_balance(runner, store, tmp_path):
    orders = [
        order(1, lines=[line(10, "250.00")], created=day(1)),
        order(2, lines=[line(20, "100.00")], created=day(2)),
        order(3, lines=[line(30, "80.00")], created=day(3)),
    ]
    result = runner.invoke(args=["import", "orders", write(tmp_path, "o.json", orders), "--store", "shop"])
    assert result.exit_code == 0, result.output
    assert "3 applied" in result.output
    shown = runner.invoke(args=["members", "show", "anna@example.com", "--store", "shop", "--json"])
    assert shown.exit_code == 0, shown.output
    statement = json.loads(shown.output)
    assert set(statement) >= {"email", "store", "points", "tier", "vip", "vip_until", "ledger", "coupons", "badges"}
    # 250 + 100 at Bronze; Silver from 350 spent (>= 300), so order 3 earns 80 x 1.25 = 100
    assert [l["points"] for l in statement["ledger"]] == [250, 100, 100]
    assert statement["points"] == 450 and statement["tier"] == "Silver" and statement["vip"] is False
    tierup = [c for c in statement["coupons"] if c["source"] == "tierup"]
    assert [(c["discount_type"], c["amount"], c["status"]) for c in tierup] == [("fixed_cart", "5.00", "pending")]
    table = runner.invoke(args=["members", "show", "anna@example.com", "--store", "shop"])
    assert "balance" in table.output and "450" in table.output


def test_import_reports_bad_records_and_applies_the_rest(runner, store, tmp_path):
    records = [order(1), {"id": 2, "status": "completed"}, order(3, email="ben@example.com")]
    result = runner.invoke(args=["import", "orders", write(tmp_path, "o.json", records), "--store", "shop"])
    assert result.exit_code == 1
    assert "2 applied" in result.output and "rejected order 2" in result.output
    assert runner.invoke(args=["members", "show", "ben@example.com", "--store", "shop"]).exit_code == 0


def test_import_errors_are_one_clear_line(runner, store, tmp_path):
    bad_json = runner.invoke(args=["import", "orders", write(tmp_path, "b.json", "[{"), "--store", "shop"])
    assert bad_json.exit_code != 0 and "is not valid JSON" in bad_json.output
    not_array = runner.invoke(args=["import", "orders", write(tmp_path, "c.json", {"id": 1}), "--store", "shop"])
    assert not_array.exit_code != 0 and "JSON array" in not_array.output
    unknown = runner.invoke(args=["import", "orders", write(tmp_path, "d.json", []), "--store", "nope"])
    assert unknown.exit_code != 0 and "unknown store 'nope'" in unknown.output
    missing = runner.invoke(args=["import", "orders", str(tmp_path / "absent.json"), "--store", "shop"])
    assert missing.exit_code != 0 and "cannot read" in missing.output


def test_import_customers_and_products(runner, store, tmp_path):
    result = runner.invoke(
        args=["import", "customers", write(tmp_path, "c.json", [customer(5, "eve@example.com")]), "--store", "shop"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(args=["members", "show", "5", "--store", "shop", "--json"]).output)
    assert shown["email"] == "eve@example.com" and shown["points"] == 0 and shown["tier"] == "Bronze"


def test_program_show(runner, store):
    result = runner.invoke(args=["program", "show", "--store", "shop", "--json"])
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert (
        rules["version"] == 1
        and rules["rate"] == "1"
        and [t["name"] for t in rules["tiers"]] == ["Bronze", "Silver", "Gold"]
    )
    assert "version 1" in runner.invoke(args=["program", "show"]).output
