"""Extraction on Ray: the units of a plan (archive/shards.py) as Ray tasks, one task per shard.

Ray schedules the units over the cores of this machine (a local Ray started here) or of a cluster (`address`),
retries a task whose worker died, and each finished shard's statistics come back as its task ends. Two ways to
drive the same tasks (`api`): plain Ray tasks ("tasks", the default) or a Ray Data pipeline ("data"); both write
the same shards. The shards go to a folder every worker can write and the merging process can read (a shared
file system on a cluster). Merging stays here, in one process: folding needs the whole archive.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsdesk.archive.shards import ShardStats, Unit, estimated_work, warm_up, write_shard
from newsdesk.archive.store import ArchiveError
from newsdesk.extract import ExtractOptions


class EngineError(ArchiveError):
    """Ray could not be started or reached, or a shard task failed for good; the message says why."""


def _write_unit(unit: Unit, directory: str, options: ExtractOptions) -> dict[str, Any]:
    # Runs in a Ray worker (plain task): one unit in, its shard's statistics out.
    return write_shard(unit, directory, options, worker=True).to_record()


def _row(unit: Unit) -> dict[str, Any]:
    # A unit as a Ray Data row: plain values (an open end, no seek as -1: a column holds one type).
    return {"ordinal": unit.ordinal, "files": list(unit.files), "name": unit.name, "first": unit.first,
            "stop": -1 if unit.stop is None else unit.stop, "records": unit.records,
            "seek": -1 if unit.seek is None else unit.seek}


def _write_row(row: dict[str, Any], directory: str, options: ExtractOptions) -> dict[str, Any]:
    # Runs in a Ray worker (Ray Data): the unit as a dataset row.
    stop, seek = int(row["stop"]), int(row["seek"])
    unit = Unit(int(row["ordinal"]), tuple(row["files"]), str(row["name"]), int(row["first"]),
                None if stop < 0 else stop, int(row["records"]), None if seek < 0 else seek)
    return _write_unit(unit, directory, options)


def _warm_row(row: dict[str, Any], options: ExtractOptions) -> dict[str, Any]:
    # Runs in a Ray worker: extraction loaded, and which process did it.
    import socket

    return {"worker": f"{socket.gethostname()}:{os.getpid()}", "seconds": warm_up(options, freeze=True)}


def quiet_data_context() -> None:
    """Ray Data without what only a person watching needs: progress bars, per-execution statistics in the log."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    # Ray Data reports each execution at INFO; the command reports shards itself.
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _warm_task(options: ExtractOptions) -> dict[str, Any]:
    return _warm_row({}, options)


def warm_workers(workers: int, options: ExtractOptions, api: str = "tasks") -> list[dict[str, Any]]:
    """Start what a first run starts once, in a Ray already connected: `workers` worker processes with extraction
    loaded in them (shards.warm_up) and, for `api` "data", Ray Data's own actors. bench/scale.py counts this with
    Ray's start-up, so that the extraction it times is the work on the captures. Returns each task's worker and the
    processor seconds its loading took (0.0 where the worker had it already)."""
    import ray
    import ray.data

    if api == "tasks":
        warm = ray.remote(num_cpus=1)(_warm_task)
        return ray.get([warm.remote(options) for _ in range(workers)])
    quiet_data_context()
    dataset = ray.data.from_items([{"task": i} for i in range(workers)], override_num_blocks=workers).map(
        _warm_row, fn_kwargs={"options": options}, num_cpus=1, compute=ray.data.TaskPoolStrategy(size=workers),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(dataset.iter_rows())


def connect(address: str | None, workers: int | None) -> bool:
    """Start a local Ray (with `workers` CPUs) or join the cluster at `address`; True when this call did it."""
    import ray

    if ray.is_initialized():
        return False
    if not address:
        # A Ray of our own sends no usage report (Ray's documented opt-out). Ray's other timers (metrics, task
        # events, event-loop statistics) were tried off too: no measurable change in its idle processor time
        # (~26 ms a second, bench/RESULTS.md, "Scale-out: plain Ray tasks"), so Ray's defaults stand.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        ray.init(
            address=address, num_cpus=None if address else (workers or os.cpu_count() or 1),
            include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise EngineError(f"could not start or reach {where}: {exc}") from exc
    return True


def _finished(record: dict[str, Any], done: dict[str, ShardStats], on_shard: Callable[[ShardStats], None] | None) -> None:
    """A shard's statistics, as its task returned them, taken in."""
    stats = ShardStats(**record)
    done[stats.name] = stats
    if on_shard:
        on_shard(stats)


def _run_tasks(
    ordered: Sequence[Unit], directory: Path, options: ExtractOptions, workers: int | None, done: dict[str, ShardStats],
    on_shard: Callable[[ShardStats], None] | None,
) -> None:
    """The units as plain Ray tasks, at most `workers` at once (all of them when None: Ray runs as many as there are
    CPUs), taking each shard's statistics as its task finishes."""
    import ray

    write = ray.remote(num_cpus=1, max_retries=3)(_write_unit)
    options_ref = ray.put(options)
    if workers is not None and workers >= ray.cluster_resources().get("CPU", 0):
        # Ray runs no more tasks at once than there are CPUs: the cap is Ray's own, and a worker then takes its
        # next shard from Ray's queue, not through this loop (between two shards a worker waited 16-19 ms either way on
        # this loaded machine: the round trip to the driver's Ray core).
        workers = None
    waiting = list(reversed(ordered))  # popped from the end: largest first
    running: list[Any] = []
    try:
        while waiting or running:
            # Every task is handed to Ray at once (or `workers` of them): Ray's own queue gives a worker its next
            # shard the moment it is free, without waiting for this loop.
            while waiting and (workers is None or len(running) < workers):
                unit = waiting.pop()
                running.append(write.remote(unit, str(directory), options_ref))
            finished, running = ray.wait(running, num_returns=1)
            for ref in finished:
                _finished(ray.get(ref), done, on_shard)
    except BaseException:
        # A shard failed for good, or the user stopped the command: the other tasks are not wanted any more (on a
        # cluster they would run on after this process is gone). Their temporary files are never merged.
        for ref in running:
            ray.cancel(ref, force=True)
        raise


def _run_dataset(
    ordered: Sequence[Unit], directory: Path, options: ExtractOptions, workers: int | None, done: dict[str, ShardStats],
    on_shard: Callable[[ShardStats], None] | None,
) -> None:
    import ray.data

    quiet_data_context()
    items = [_row(u) for u in ordered]
    # One block per unit: each shard is one task, placed on whichever worker is free. A worker process
    # runs many tasks and loads extraction's dictionaries once (shards.warm_up).
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map(
        _write_row, fn_kwargs={"directory": str(directory), "options": options},
        num_cpus=1, compute=ray.data.TaskPoolStrategy(size=workers) if workers else None,
    )
    with warnings.catch_warnings():
        # Ray Data warns when there are fewer units than workers: nothing to act on here.
        warnings.simplefilter("ignore", UserWarning)
        for record in dataset.iter_rows():
            _finished(record, done, on_shard)


# "tasks" is the default: plain tasks cost less of Ray's own processor time and leave the workers idle less than
# Ray Data's executor, whose loop in the driver waits up to 0.1 s for all of its running tasks at once before it
# hands out the next unit (measured on this machine, 2 workers: idle 0.16 s per shard per worker, 11 % of a
# 20,000-capture run, and the driver 8-13 times busier; bench/RESULTS.md, "Scale-out: plain Ray tasks").
APIS = ("tasks", "data")


def extract_to_shards(
    units: Sequence[Unit], directory: str | Path, options: ExtractOptions, address: str | None = None,
    workers: int | None = None, on_shard: Callable[[ShardStats], None] | None = None, api: str = "tasks",
) -> list[ShardStats]:
    """Write every unit's shard into `directory` on Ray; units whose shard is already complete are skipped without
    a task. `api`: "tasks", plain Ray tasks; "data", a Ray Data pipeline. Returns the statistics of every unit, in
    plan order."""
    if api not in APIS:
        raise ValueError(f"api must be one of {APIS}, not {api!r}")
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise EngineError(f"--engine ray needs Ray: pip install 'newsdesk[ray]' ({exc})") from exc

    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    done = {unit.name: ShardStats(unit.name, skipped=True) for unit in units if (directory / unit.name).exists()}
    todo = [unit for unit in units if unit.name not in done]
    for stats in done.values():
        if on_shard:
            on_shard(stats)
    if todo:
        started_here = connect(address, workers)
        try:
            # Largest first: a free worker takes the next shard, so the run ends on small ones and no worker
            # is left with a long tail. The shards' names keep the plan's order, which is the merge's.
            ordered = sorted(todo, key=estimated_work, reverse=True)
            run = _run_tasks if api == "tasks" else _run_dataset
            run(ordered, directory, options, workers, done, on_shard)
        except ray.exceptions.RayError as exc:
            raise EngineError(f"a shard could not be written: {exc}") from exc
        finally:
            if started_here:
                ray.shutdown()
    return [done[unit.name] for unit in units]
