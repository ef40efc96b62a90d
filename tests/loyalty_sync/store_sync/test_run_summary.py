"""The sync log and the CLI say what a run did in words, never as a Python dict."""

from loyalty_sync.store_sync.run_summary import plural, run_summary


def test_a_pass_reads_as_sentences_with_plurals():
    counts = {
        "pulled": {"orders": 12, "customers": 1, "categories": 3, "reviews": 0},
        "applied": 13,
        "applied_by": {"orders": 12, "customers": 1},
        "unchanged": 0,
        "stale": 1,
        "rejected": 0,
        "pushed_coupons": 2,
        "pushed_members": 1,
        "members_planned": 5,
    }
    assert run_summary(counts) == [
        "Read 12 orders, 1 customer and 3 categories.",
        "13 changes applied (12 orders and 1 customer).",
        "1 older copy ignored (the books hold a newer one).",
        "2 coupons written to the store.",
        "1 member's meta written to the store.",
        "5 members planned.",
    ]


def test_a_pass_that_found_nothing_says_so():
    assert run_summary({"pulled": {"orders": 0}, "applied": 0}) == ["Nothing new to read."]


def test_reconcile_and_backfill_counts_read_as_words():
    assert run_summary({"drift": {"coupon_missing": 2, "orders_missed": 1}, "fixed": 0, "checked": 40}) == [
        "Differences with the store: 2 coupons missing in the store and 1 month with orders missed.",
        "40 records checked.",
    ]
    assert run_summary({"drift": {}, "mode": "award", "finished": False})[0] == "No difference with the store."


def test_a_count_it_does_not_know_still_reads_as_words():
    assert run_summary({"new_thing": 3, "by_kind": {"tierup": 2}}) == ["New thing: 3.", "By kind: 2 tierups."]
    assert not any("{" in line for line in run_summary({"by_kind": {"a": 1}, "pulled": {"x_y": 2}}))


def test_plural():
    assert (plural(1, "order"), plural(0, "order"), plural(1200, "category")) == (
        "1 order",
        "0 orders",
        "1,200 categories",
    )


def test_a_backfill_says_how_far_it_got():
    assert run_summary({"mode": "award", "done": 300, "total": 1000, "rate": 51.2, "eta": 13}) == [
        "History mode: award.",
        "300 of 1,000 orders done.",
    ]
