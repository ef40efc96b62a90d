"""The replay pool: worker processes give the same answers, in the same order, as one process."""

from loyalty_sync.analysis.replay_pool import ReplayPool


def _scaled(item, context):
    return (item * context["factor"], item)


def _fails_on_three(item, context):
    if item == 3:
        raise ValueError("three")
    return item


def test_workers_map_in_order_like_one_process():
    items = list(range(200))
    with ReplayPool(_scaled, {"factor": 3}, members=len(items)) as serial:
        assert not serial.parallel  # small: stays in this process
        expected = serial.map(items)
    with ReplayPool(_scaled, {"factor": 3}, members=len(items), workers=2) as pool:
        assert pool.parallel
        assert pool.map(items) == expected == [(i * 3, i) for i in items]
        assert pool.map([]) == []


def test_a_failing_item_is_reported_by_the_worker_not_hidden():
    with ReplayPool(_fails_on_three, None, members=5, workers=2) as pool:
        try:
            pool.map(range(5))
        except ValueError as exc:
            assert str(exc) == "three"
        else:
            raise AssertionError("the worker's error must reach the caller")


def test_imap_reads_items_only_as_workers_need_them():
    """A few items are queued ahead, not the whole stream: the caller reads members from the database as it goes."""
    read = []

    def items():
        for i in range(100):
            read.append(i)
            yield i

    with ReplayPool(_scaled, {"factor": 2}, members=100, workers=2) as pool:
        stream = pool.imap(items())
        first = next(stream)
        assert first == (0, (0, 0))
        assert len(read) <= 2 * 2 + 2  # the pool's queue depth, far from all 100
        assert list(stream) == [(i, (i * 2, i)) for i in range(1, 100)]
