#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sgscope lab: the benchmark in a LAVA lab.

sgscope lab jobs [--devices N] [--device-type TYPE] [--quick] [--iterations N]
                 [--filter GLOB] [--mode MODE] [--kernel URL] [--ramdisk URL]
                 [--modules URL] [--cli URL] [--clock CLOCK] [--repository URL]
                 [--revision REV] [--timeout MINUTES] -o JOBDIR
sgscope lab run [--device DICTIONARY] [--parallel N] [--validate] -o RUNDIR JOBDIR
sgscope lab submit --server URL [--token TOKEN] | --lavacli IDENTITY JOBDIR
sgscope lab collect --server URL [--token TOKEN] [--wait SECONDS] -o RUNDIR JOBDIR

jobs writes JOBDIR/job-K.yaml, K = 1..N: LAVA job definitions that shard
the benchmark's cells (tools/bench/guest-cells.sh --plan: the cell list
`sgscope bench` runs) over N devices of one device type, round robin so
each shard has every condition.  Each job deploys the kernel and the
ramdisk (tools/lab/ramdisk, with LAVA's overlay, the modules and the CLI
appended), boots it, clones this tree (--repository at --revision) through
LAVA's test shell and runs tools/lab/sgscope-bench.yaml: `sgscope bench
--local` on its shard, every sample a LAVA test case with its measurement
and unit, the run folder's files printed whole between marker lines.
Every job is checked against LAVA's own job schema (lava-common) before it
is written; JOBDIR/shards.json lists which cells went where.

run executes the jobs with lava-run on a device of this machine (no
server); submit sends them to a LAVA server, through its REST API or
lavacli (JOBDIR/submitted.json);
collect waits for them there.  Both rebuild one run folder from the jobs'
logs (tools/lab/collect.py)."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import collect

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTDEF = "tools/lab/sgscope-bench.yaml"


def cells(level, iterations, mode, glob):
    """The cells `sgscope bench --local` runs in this mode, in its order."""
    out = subprocess.run(["sh", f"{TREE}/tools/bench/guest-cells.sh", "--plan", mode, str(iterations),
                          level, "-", glob], capture_output=True, text=True, check=True).stdout
    return out.split()


def shard(names, n):
    """n shards, round robin: cell i goes to shard i mod n."""
    return [names[k::n] for k in range(n)]


def kernel_append(args):
    """The kernel command line of a job: the console LAVA reads (the boot
    messages in full: LAVA waits for the kernel's banner), the clock the
    benchmark's times are in (tools/vm's sgscope_clock=) and the DMA mode
    (tools/bench/matrix --local reads both from /proc/cmdline)."""
    append = ["console=ttyS0,115200", "panic=-1", "kunit.enable=0",
              f"sgscope_clock={args.clock}"]
    if args.clock.startswith("icount"):
        append.append("norandmaps")
    # the measuring machine's parameters, as tools/bench/matrix boots it
    append += [line.strip() for line in open(os.path.join(TREE, "tools", "bench", "kernel-params"))
               if line.strip() and not line.startswith("#")]
    append += {"direct": [], "swiotlb": ["swiotlb=force"],
               "iommu": ["intel_iommu=on", "iommu.passthrough=0", "iommu.strict=1"]}[args.mode]
    return " ".join(append)


def job(args, k, n, shard_cells, revision):
    """The LAVA job definition of shard k (from 1) of n."""
    ramdisk = {"image_arg": "-initrd {ramdisk}", "url": args.ramdisk, "compression": "gz",
               "format": "cpio.newc", "overlays": {"lava": True}}
    if args.modules:
        ramdisk["overlays"]["modules"] = {"url": args.modules, "format": "tar", "path": "/"}
    if args.cli:
        ramdisk["overlays"]["cli"] = {"url": args.cli, "format": "tar", "path": "/opt/sgscope"}
    return {
        "device_type": args.device_type,
        "job_name": f"sgscope bench {'quick' if args.quick else 'full'} shard {k} of {n} ({revision[:12]})",
        "priority": "medium",
        "visibility": "public",
        "timeouts": {"job": {"minutes": args.timeout}, "action": {"minutes": args.timeout},
                     "connection": {"minutes": 2}},
        "metadata": {"sgscope.revision": revision, "sgscope.shard": f"{k}/{n}",
                     "sgscope.cells": str(len(shard_cells))},
        "context": {"arch": "amd64"},
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"minutes": 10},
                        "images": {"kernel": {"image_arg": f"-kernel {{kernel}} -append '{kernel_append(args)}'",
                                              "url": args.kernel},
                                   "ramdisk": ramdisk}}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"minutes": args.boot_timeout},
                      "prompts": [args.prompt]}},
            {"test": {"timeout": {"minutes": args.timeout - 20},
                      "definitions": [{
                          "repository": args.repository, "from": "git", "revision": revision,
                          "path": TESTDEF, "name": "sgscope-bench",
                          "parameters": {"CELLS": ",".join(shard_cells),
                                         "ITERATIONS": str(args.iterations),
                                         "LEVEL": "quick" if args.quick else "full"}}]}},
        ],
    }


def validate(data):
    """LAVA's own job schema; the message of what is wrong, or None."""
    try:
        from lava_common.schemas import validate as lava_validate
    except ImportError:
        sys.exit("sgscope lab: lava-common is missing (LAVA's job schema): run 'make deps'")
    import voluptuous
    try:
        lava_validate(data, strict=True)
    except voluptuous.Invalid as e:
        return str(e)
    return None


def write_yaml(path, data):
    try:
        import yaml
        text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    except ImportError:
        text = json.dumps(data, indent=2)	# JSON is YAML too
    with open(path, "w") as f:
        f.write(text)


def jobs(argv):
    p = argparse.ArgumentParser(prog="sgscope lab jobs", description="LAVA jobs sharding the benchmark")
    p.add_argument("--devices", type=int, default=2, help="devices (jobs) to shard over (default 2)")
    p.add_argument("--device-type", default="qemu", help="LAVA device type (default qemu)")
    p.add_argument("--quick", action="store_true", help="the quick matrix")
    p.add_argument("--iterations", type=int, help="iterations per cell (default 10, 5 with --quick)")
    p.add_argument("--filter", default="*", help="only the cells matching these globs (commas)")
    p.add_argument("--mode", default="direct", choices=["direct", "swiotlb", "iommu"],
                   help="the DMA mode the devices boot in (default direct)")
    p.add_argument("--kernel", default="http://lab.example/sgscope/bzImage", help="the kernel image's URL")
    p.add_argument("--ramdisk", default="http://lab.example/sgscope/ramdisk.cpio.gz",
                   help="the ramdisk's URL (tools/lab/ramdisk; LAVA appends its test overlay)")
    p.add_argument("--modules", help="URL of a tar.gz of lib/modules/ for the kernel (appended to the ramdisk)")
    p.add_argument("--cli", help="URL of a tar.gz holding a built sgscope CLI (tools/lab/artifacts; CO-RE, "
                                 "it runs on the device's kernel): the device does not build it")
    p.add_argument("--clock", default="wallclock",
                   help="the clock the device's guest time is in: icount:SHIFT for a QEMU device "
                        "in icount mode, else wallclock (default)")
    p.add_argument("--prompt", default="sgscope-lab# ", help="the device's shell prompt (default: the ramdisk's)")
    p.add_argument("--boot-timeout", type=int, default=10,
                   help="minutes the device has to boot to its prompt (default 10)")
    p.add_argument("--repository", default="https://lab.example/sgscope.git",
                   help="where the devices clone this tree from")
    p.add_argument("--revision", help="the commit they check out (default: this tree's HEAD)")
    p.add_argument("--timeout", type=int, default=120, help="minutes per job (default 120)")
    p.add_argument("-o", "--output", required=True, help="the folder for the job files")
    args = p.parse_args(argv)
    if args.devices < 1:
        p.error("--devices takes a whole number of 1 or more")
    if args.timeout < 30:
        p.error("--timeout takes 30 minutes or more (deploy and boot have 10 each)")
    if not 1 <= args.boot_timeout <= 10:
        p.error("--boot-timeout takes 1 to 10 minutes")
    if args.clock != "wallclock" and not re.fullmatch(r"icount:([0-9]|10)", args.clock):
        p.error(f"--clock takes icount:SHIFT (0-10) or wallclock, not '{args.clock}'")
    if args.iterations is None:
        args.iterations = 5 if args.quick else 10
    if args.iterations < 1:
        p.error("--iterations takes a whole number of 1 or more")
    names = cells("quick" if args.quick else "full", args.iterations, args.mode, args.filter)
    if not names:
        p.error(f"no cell matches the filter '{args.filter}'")
    if args.devices > len(names):
        p.error(f"{args.devices} devices for {len(names)} cells: some would have nothing to run")
    revision = args.revision or subprocess.run(["git", "-C", TREE, "rev-parse", "HEAD"],
                                               capture_output=True, text=True).stdout.strip() or "HEAD"
    os.makedirs(args.output, exist_ok=True)
    shards = shard(names, args.devices)
    for k, part in enumerate(shards, 1):
        data = job(args, k, len(shards), part, revision)
        err = validate(data)
        if err:
            print(f"sgscope lab: job {k} does not validate against LAVA's schema: {err}", file=sys.stderr)
            return 1
        write_yaml(f"{args.output}/job-{k}.yaml", data)
    with open(f"{args.output}/shards.json", "w") as f:
        json.dump({"revision": revision, "device_type": args.device_type, "mode": args.mode,
                   "level": "quick" if args.quick else "full", "iterations": args.iterations,
                   "clock": args.clock, "shards": shards}, f, indent=2)
    print(f"sgscope lab: {len(names)} cells in {len(shards)} jobs for device type "
          f"{args.device_type}: {args.output}/job-1.yaml .. job-{len(shards)}.yaml")
    return 0


TEMPLATES = "/usr/share/lava-server/device-types"


def render_device(dictionary, out):
    """A device dictionary (jinja2, extending a lava-server device type)
    rendered into the device configuration lava-run reads."""
    import jinja2
    import yaml
    if not os.path.exists(f"{TEMPLATES}/base.jinja2"):
        raise SystemExit(f"sgscope lab: lava-server's device-type templates are missing ({TEMPLATES}): "
                         "run 'make deps'")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([os.path.dirname(os.path.abspath(dictionary)),
                                                             TEMPLATES]),
                             trim_blocks=True, autoescape=False)
    text = env.get_template(os.path.basename(dictionary)).render()
    yaml.safe_load(text)
    with open(out, "w") as f:
        f.write(text)


def job_files(jobdir):
    """The job-K.yaml of a `sgscope lab jobs` folder, by K."""
    if not os.path.exists(f"{jobdir}/shards.json"):
        raise SystemExit(f"sgscope lab: {jobdir} has no shards.json: write it with 'sgscope lab jobs -o {jobdir}'")
    n = len(json.load(open(f"{jobdir}/shards.json"))["shards"])
    return {k: f"{jobdir}/job-{k}.yaml" for k in range(1, n + 1)}


def say(msg):
    print(f"[lab] {msg}", flush=True)


def run_local(argv):
    p = argparse.ArgumentParser(prog="sgscope lab run",
                                description="run a jobs folder's LAVA jobs with lava-run (no server) "
                                            "on a device of this machine, then collect them")
    p.add_argument("--device", default=f"{TREE}/tools/lab/devices/sgscope-qemu.jinja2",
                   help="device dictionary (default: tools/lab/devices/sgscope-qemu.jinja2)")
    p.add_argument("--parallel", type=int, default=os.cpu_count() or 1, help="jobs at a time (default: CPUs)")
    p.add_argument("--validate", action="store_true", help="only validate the jobs (lava-run --validate)")
    p.add_argument("-o", "--output", required=True, help="the run folder")
    p.add_argument("jobdir", help="the folder `sgscope lab jobs` wrote")
    args = p.parse_args(argv)
    if args.parallel < 1:
        p.error("--parallel takes a whole number of 1 or more")
    files = job_files(args.jobdir)
    if not shutil.which("lava-run"):
        raise SystemExit("sgscope lab: lava-run (Debian's lava-dispatcher) is missing: run 'make deps'")
    lava = os.path.abspath(f"{args.output}/lava")
    os.makedirs(lava, exist_ok=True)
    render_device(args.device, f"{lava}/device.yaml")
    procs, codes = {}, {}
    start = time.time()
    pending = sorted(files)
    while pending or procs:
        while pending and len(procs) < args.parallel:
            k = pending.pop(0)
            # the job id names lava-run's folder under /var/lib/lava/dispatcher/tmp,
            # which a lab's worker on this machine shares: not a bare number
            cmd = ["lava-run", "--job-id", f"sgscope-{os.getpid()}-{k}", "--output-dir", f"{lava}/job-{k}",
                   "--device", f"{lava}/device.yaml"] + (["--validate"] if args.validate else []) + [files[k]]
            procs[k] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(f"{lava}/job-{k}.log", "w"))
            say(f"job {k}: lava-run{' --validate' if args.validate else ''} {files[k]}")
        for k, proc in list(procs.items()):
            if proc.poll() is not None:
                del procs[k]
                # lava-run exits 0 when the job passed, as LAVA's health Complete
                codes[k] = proc.returncode
                health = "Complete" if proc.returncode == 0 else "Incomplete"
                say(f"job {k}: {health} after {time.time() - start:.0f} s (log: {lava}/job-{k}.log)")
        time.sleep(1)
    logs = {k: open(f"{lava}/job-{k}.log").read() for k in files}
    if args.validate:
        for k in files:
            if codes[k]:
                say(f"job {k}: {collect.job_error(collect.records(logs[k]))}")
        return 1 if any(codes.values()) else 0
    jobs = {k: {"id": k, "log": logs[k], "device": "local qemu (lava-run)",
                "health": "Complete" if codes[k] == 0 else "Incomplete"} for k in files}
    return report_merge(args.jobdir, jobs, args.output, {"server": "lava-run on this machine"})


def report_merge(jobdir, jobs, out, lab):
    try:
        problems = collect.merge(jobdir, jobs, out, lab)
    except collect.LabError as e:
        print(f"sgscope lab: {e}", file=sys.stderr)
        return 1
    run = json.load(open(f"{out}/run.json"))
    for j in run["lab"]["jobs"]:
        say(f"shard {j['shard']} (job {j['job']}, {j['health']}): {j['samples']} samples, "
            f"{j['lava_measurements']} LAVA measurements" + (f"; {j['error']}" if j.get("error") else ""))
    say(f"run folder {out}: {len(run['lab']['missing_cells'])} cells missing")
    return 1 if problems else 0


def token_arg(p):
    p.add_argument("--token", default=os.environ.get("LAVA_TOKEN"),
                   help="an API token of the server (default: $LAVA_TOKEN)")


def server_args(p):
    p.add_argument("--server", required=True, help="the LAVA server's URL (https://lava.example)")
    token_arg(p)


def submit(argv):
    p = argparse.ArgumentParser(prog="sgscope lab submit", description="submit a jobs folder's jobs to a LAVA server")
    via = p.add_mutually_exclusive_group(required=True)
    via.add_argument("--server", help="the LAVA server's URL (https://lava.example): submit through its REST API")
    via.add_argument("--lavacli", metavar="IDENTITY",
                     help="submit with lavacli, as this identity of its lavacli.yaml ($XDG_CONFIG_HOME or ~/.config)")
    token_arg(p)
    p.add_argument("jobdir", help="the folder `sgscope lab jobs` wrote")
    args = p.parse_args(argv)
    files = job_files(args.jobdir)
    if args.lavacli:
        sender, via = collect.Lavacli(args.lavacli), f"lavacli -i {args.lavacli}"
    else:
        sender, via = collect.Server(args.server, args.token), f"REST API of {args.server}"
    ids = {}
    try:
        for k, path in files.items():
            ids[k] = sender.submit(path)
            say(f"job {k}: submitted as {ids[k]} ({via})")
    except collect.LabError as e:
        print(f"sgscope lab: {e}", file=sys.stderr)
        return 1
    finally:
        # what was submitted, also when a later job was refused
        if ids:
            with open(f"{args.jobdir}/submitted.json", "w") as f:
                json.dump({"submitted_with": via, "jobs": ids}, f, indent=2)
    return 0


def collect_jobs(argv):
    p = argparse.ArgumentParser(prog="sgscope lab collect",
                                description="wait for a jobs folder's submitted jobs, fetch their logs "
                                            "and rebuild one run folder")
    server_args(p)
    p.add_argument("--wait", type=int, default=7200, help="seconds to wait for the jobs (default 7200)")
    p.add_argument("-o", "--output", required=True, help="the run folder")
    p.add_argument("jobdir", help="the folder `sgscope lab jobs` wrote and `sgscope lab submit` submitted")
    args = p.parse_args(argv)
    job_files(args.jobdir)
    try:
        submitted = json.load(open(f"{args.jobdir}/submitted.json"))
        ids = {int(k): v for k, v in submitted["jobs"].items()}
    except OSError:
        raise SystemExit(f"sgscope lab: {args.jobdir} has no submitted.json: submit it with 'sgscope lab submit'")
    server = collect.Server(args.server, args.token)
    try:
        done = collect.wait(server, ids, args.wait, say)
        jobs = {k: {"id": ids[k], "log": server.log(ids[k]), "health": info.get("health"),
                    "device": info.get("actual_device")} for k, info in done.items()}
    except collect.LabError as e:
        print(f"sgscope lab: {e}", file=sys.stderr)
        return 1
    return report_merge(args.jobdir, jobs, args.output,
                        {"server": args.server, "submitted_with": submitted.get("submitted_with")})


COMMANDS = {"jobs": jobs, "run": run_local, "submit": submit, "collect": collect_jobs}


def main(argv):
    if len(argv) < 1 or argv[0] not in COMMANDS:
        print("usage: sgscope lab jobs|run|submit|collect [OPTIONS]   (sgscope lab COMMAND --help)",
              file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
