#!/usr/bin/env python3
"""Keeps the README's "Try it" session true: runs its shell block, exactly
as written, against a real dwt-server on the example configuration and the
development webhook receiver, and compares what the block prints with its
`#>` lines. Then checks that the receiver got (and verified) the events the
block's feed showed.

    try_it.py --server build/dwt-server --repo .

The server listens on an ephemeral loopback port in a fresh temporary
directory (its `var/` holds the store and the SMS sink, as in the README);
the example configuration is copied with the webhook URL pointed at the
receiver's ephemeral port. Exit status 0 when everything matches. Every
wait is bounded.
"""

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BEGIN = "<!-- try-it:begin -->"
END = "<!-- try-it:end -->"
EXAMPLE_WEBHOOK_URL = "http://127.0.0.1:8081/webhooks"
# Bounds on the waits (a cap on hangs, not a speed test; sanitizer builds
# stretch them with DWT_TEST_TIME_SCALE as the C++ suites do).
SCALE = float(os.environ.get("DWT_TEST_TIME_SCALE", "1"))
START_TIMEOUT_S = 30 * SCALE
BLOCK_TIMEOUT_S = 60 * SCALE
WEBHOOK_TIMEOUT_S = 30 * SCALE


def fail(message: str) -> None:
    print(f"try_it: FAIL: {message}", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)


def readme_block(readme_path: str) -> str:
    text = open(readme_path, encoding="utf-8").read()
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        fail(f"{readme_path} must hold exactly one {BEGIN} ... {END} block")
    inner = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    match = re.fullmatch(r"```sh\n(.*)\n```", inner, re.S)
    if not match:
        fail("the try-it block is not one ```sh fenced block")
    return match.group(1)


def expected_output(block: str) -> list:
    return [line[3:] if line.startswith("#> ") else line[2:] for line in block.splitlines()
            if line.startswith("#>")]


def wait_for_line(proc, pattern: str, timeout_s: float, what: str) -> re.Match:
    """Reads proc's output (on a reader thread) until a line matches, bounded."""
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            if proc.poll() is not None:
                fail(f"{what} exited with {proc.returncode} before it was ready:\n" + "".join(seen))
            continue
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    fail(f"{what} not ready within {timeout_s:.0f} s:\n" + "".join(seen))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--repo", required=True)
    args = parser.parse_args()
    for tool in ("curl", "jq", "bash"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    repo = os.path.abspath(args.repo)
    block = readme_block(os.path.join(repo, "README.md"))
    expected = expected_output(block)
    if not expected:
        fail("the try-it block has no #> lines to compare")

    work = tempfile.mkdtemp(prefix="dwt-try-it-")
    procs = []
    try:
        os.makedirs(os.path.join(work, "var"))
        hooks_log = os.path.join(work, "webhooks.jsonl")
        receiver = subprocess.Popen(
            [sys.executable, "-u", os.path.join(repo, "scripts", "webhook-receiver.py"), "--port", "0",
             "--log", hooks_log],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=work)
        procs.append(receiver)
        port = wait_for_line(receiver, r"listening on http://127\.0\.0\.1:(\d+)/", START_TIMEOUT_S,
                             "webhook receiver").group(1)

        config = open(os.path.join(repo, "config", "dwt.example.toml"), encoding="utf-8").read()
        if EXAMPLE_WEBHOOK_URL not in config:
            fail(f"config/dwt.example.toml no longer names {EXAMPLE_WEBHOOK_URL}")
        config = config.replace(EXAMPLE_WEBHOOK_URL, f"http://127.0.0.1:{port}/webhooks")
        # Key files are relative to the repository root (make run's working directory).
        config = config.replace('"config/dev/', '"' + os.path.join(repo, "config", "dev") + '/')
        config_path = os.path.join(work, "dwt.toml")
        open(config_path, "w", encoding="utf-8").write(config)
        server = subprocess.Popen(
            [os.path.abspath(args.server), "--config", config_path, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=work)
        procs.append(server)
        url = wait_for_line(server, r"listening on (http://127\.0\.0\.1:\d+)", START_TIMEOUT_S,
                            "dwt-server").group(1)

        env = dict(os.environ, DWT=url)
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=work, env=env,
                             capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S)
        printed = run.stdout.splitlines()
        if run.returncode != 0 or printed != expected:
            fail("the README's try-it block did not print its #> lines\n"
                 f"exit status {run.returncode}\n--- expected\n" + "\n".join(expected) +
                 "\n--- printed\n" + "\n".join(printed) + "\n--- stderr\n" + run.stderr)

        # The receiver verified each signature before logging; the feed's
        # events (the block's last #> lines) must all arrive, in order per token.
        event_types = ("DigitalWalletTokenTransition", "cards#manual-provisioning-verification")
        feed = [row for row in (json.loads(line) for line in expected if line.startswith('["'))
                if row[0] in event_types]
        deadline = time.monotonic() + WEBHOOK_TIMEOUT_S
        received = []
        while time.monotonic() < deadline:
            if os.path.exists(hooks_log):
                received = [json.loads(line) for line in open(hooks_log, encoding="utf-8")]
            if len(received) >= len(feed):
                break
            time.sleep(0.1)
        if len(received) != len(feed):
            fail(f"the webhook receiver got {len(received)} verified events, expected {len(feed)}")
        by_token = {}
        for event in received:
            by_token.setdefault(event["data"]["tokenUniqueReference"], []).append(
                [event["type"], event["data"].get("state") or event["data"].get("verificationMethod")])
        if sorted(sum(by_token.values(), [])) != sorted(feed):
            fail(f"webhooks {by_token} do not match the feed {feed}")
        for events in by_token.values():
            states = [e[1] for e in events if e[0] == "DigitalWalletTokenTransition"]
            if states != ["REQUESTED", "ACTIVE"]:
                fail(f"a token's transitions arrived as {states}, expected REQUESTED then ACTIVE")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10 * SCALE)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("try_it: the README's session printed every #> line; every webhook arrived, verified")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
