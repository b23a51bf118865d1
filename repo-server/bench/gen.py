"""Writes chart packages for the benchmark: DIR with CHARTS x VERSIONS
packages, and UPLOADS extra packages (new versions) in UPDIR."""
import gzip, io, os, sys, tarfile


def package(name, version):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        files = {
            "Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: {version}\n"
            f"appVersion: \"1.0\"\ndescription: Benchmark chart {name}\n",
            "values.yaml": "replicaCount: 1\n",
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        }
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), 1)


def main():
    out, charts, versions, updir, uploads = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    os.makedirs(updir, exist_ok=True)
    for c in range(int(charts)):
        for v in range(int(versions)):
            name = f"chart{c:04d}"
            with open(os.path.join(out, f"{name}-1.{v}.0.tgz"), "wb") as f:
                f.write(package(name, f"1.{v}.0"))
    for u in range(int(uploads)):
        name = f"chart{u % int(charts):04d}"
        with open(os.path.join(updir, f"{u:05d}.tgz"), "wb") as f:
            f.write(package(name, f"2.{u}.0"))


main()
