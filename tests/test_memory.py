"""Memory stays bounded whatever the partition's size: compacting a partition four times larger
must not need much more memory. Peak RSS is read from the kernel (ru_maxrss) of a fresh process
that runs only the binary; no timing is involved."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MEASURE = ("import resource, subprocess, sys; "
           "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def write_partition(folder, files, rows_per_file, seed):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    words = np.array([f"word-{i}" for i in range(2000)])
    for i in range(files):
        t = pa.table({
            "id": pa.array(rng.integers(0, 2**62, rows_per_file)),
            "x": pa.array(rng.random(rows_per_file)),
            "w": pa.array(words[rng.integers(0, len(words), rows_per_file)]),
        })
        pq.write_table(t, folder / f"part-{i:05d}.parquet")


def peak_rss_mib(binary, root, *args):
    out = subprocess.run([sys.executable, "-c", MEASURE, binary, "--table_path", str(root),
                          "--delete_original_files", "true", *args],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0"
    return int(out[1]) / 1024


def test_peak_memory_does_not_grow_with_the_partition(binary, tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    write_partition(small / "p=1", files=150, rows_per_file=20000, seed=1)   # ~45 MiB
    write_partition(large / "p=1", files=600, rows_per_file=20000, seed=2)   # ~180 MiB
    flags = ("--target_file_size_mb", "64", "--parallelism", "2")
    rss_small = peak_rss_mib(binary, small, *flags)
    rss_large = peak_rss_mib(binary, large, *flags)
    assert rss_large < rss_small + 64, (rss_small, rss_large)
    assert rss_large < 400, rss_large
