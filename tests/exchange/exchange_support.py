"""What the exchange tests share: a suite exported to cases.h5 and the example kernel's
faithful outputs of it, in a temporary directory."""
import os
import subprocess
import sys
import tempfile


def export_with_example(fp8check, example, suite_text, name, prefix):
    """Writes suite_text to DIR/NAME.toml, exports it to DIR/cases.h5 and runs the example
    kernel on it into DIR/good.h5; returns (DIR, cases, good)."""
    directory = tempfile.mkdtemp(prefix=prefix)
    suite = os.path.join(directory, name + ".toml")
    with open(suite, "w") as f:
        f.write(suite_text)
    cases = os.path.join(directory, "cases.h5")
    subprocess.run([fp8check, "export", suite, "--out", cases], check=True, capture_output=True)
    good = os.path.join(directory, "good.h5")
    subprocess.run([sys.executable, example, cases, good], check=True, capture_output=True)
    return directory, cases, good
