"""The command line's contract: the original job's flags verbatim, help, version, exit codes,
--json, and no progress bar when stdout is not a terminal."""

import json

from support.tables import TableSpec, write_table


def test_help_documents_flags_and_exit_codes(run):
    r = run("--help")
    assert r.code == 0
    for flag in ["--database_name", "--table_name", "--target_s3_path", "--partition_predicate",
                 "--delete_original_files", "--target_file_size_mb", "--table_path", "--dry-run",
                 "--parallelism", "--compression", "--min_input_files", "--json", "--verbose",
                 "--version"]:
        assert flag in r.stdout, flag
    assert "Exit codes:" in r.stdout and "partial failure" in r.stdout


def test_version(run):
    r = run("--version")
    assert r.code == 0 and r.stdout.startswith("s3-compaction 0.")
    assert "Arrow 26." in r.stdout


def test_usage_errors_exit_2(run, tmp_path):
    assert run().code == 2
    assert run("--no_such_flag").code == 2
    assert run("--table_path", tmp_path, "--delete_original_files", "maybe").code == 2
    assert run("--table_path", tmp_path, "--database_name", "db", "--table_name", "t").code == 2
    assert run("--table_path", tmp_path, "--compression", "lzma").code == 2
    assert run("--table_path", tmp_path, "--target_file_size_mb", "0").code == 2


def test_original_job_arguments_are_accepted_verbatim(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"year": "2023"}], files_per_partition=5, nested=False))
    r = run("--table_path", root, "--partition_predicate", "year=2023",
            "--delete_original_files", "true", "--target_file_size_mb", "256", "--json")
    assert r.code == 0, r.stderr
    assert r.summary["target_file_bytes"] == 256 << 20
    assert r.summary["partitions"]["compacted"] == 1
    for value in ["false", "False", "TRUE", "1", "0"]:
        assert run("--table_path", root, "--delete_original_files", value, "--dry-run").code == 0


def test_json_summary_is_one_object_on_stdout_and_no_progress_bar(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "1"}, {"p": "2"}], files_per_partition=5,
                                nested=False))
    r = run("--table_path", root, "--json")
    assert r.code == 0
    s = json.loads(r.stdout)
    for key in ["run_id", "table", "partitions", "files", "bytes", "rows", "seconds", "details"]:
        assert key in s
    assert "\r" not in r.stderr and "\r" not in r.stdout


def test_text_summary_and_quiet_stderr(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "1"}], files_per_partition=5, nested=False))
    r = run("--table_path", root)
    assert r.code == 0
    assert "partitions  1 considered: 1 compacted" in r.stdout
    assert "files       5 -> 1" in r.stdout
    assert "rows        1,000 rewritten, counts verified" in r.stdout
    assert r.stderr == ""


def test_verbose_and_json_logs(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "1"}], files_per_partition=5, nested=False))
    r = run("--table_path", root, "--verbose", "--log-format", "json", "--dry-run")
    assert r.code == 0
    lines = [json.loads(l) for l in r.stderr.splitlines()]
    assert lines and all({"ts", "level", "msg"} <= set(l) for l in lines)


def test_glue_without_a_region_says_how_to_set_one(run):
    import os
    r = run("--database_name", "db", "--table_name", "t",
            env={"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_CONFIG_FILE": os.devnull,
                 "AWS_PROFILE": ""})
    assert r.code == 3
    assert "no AWS region: set AWS_REGION" in r.stderr


def test_glue_with_an_absurd_aws_max_attempts_is_a_usage_error(run):
    import os
    r = run("--database_name", "db", "--table_name", "t",
            env={"AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "many", "AWS_CONFIG_FILE": os.devnull,
                 "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert r.code == 2, r.stderr
    assert r.stderr.splitlines()[0] == ("s3-compaction: error: AWS_MAX_ATTEMPTS is 'many': it must "
                                        "be a whole number of attempts from 1 to 100"), r.stderr


def test_progress_bar_only_on_a_terminal(binary, tmp_path):
    """Under a pseudo-terminal the bar is drawn (and cleared) on stderr; the summary follows."""
    import os
    import pty
    import subprocess

    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": str(i)} for i in range(4)],
                                files_per_partition=20, nested=False))
    out_master, out_slave = pty.openpty()
    err_master, err_slave = pty.openpty()
    proc = subprocess.Popen([binary, "--table_path", str(root)], stdout=out_slave,
                            stderr=err_slave, close_fds=True)
    os.close(out_slave)
    os.close(err_slave)

    def drain(fd):
        chunks = []
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO once the child has closed its end
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks).decode()

    stderr = drain(err_master)
    stdout = drain(out_master)
    assert proc.wait(timeout=120) == 0
    assert "reading footers [" in stderr and "compacting [" in stderr
    assert "\r\x1b[2K" in stderr  # the line is cleared before the summary
    assert "4 compacted" in stdout
