"""What the CLI tests share: a test case with its own temporary directory.
Standard library + numpy only."""
import os
import tempfile
import unittest

import numpy as np


class TempDirTestCase(unittest.TestCase):
    """self.dir is a fresh temporary directory, removed after the test."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def path(self, name):
        return os.path.join(self.dir, name)

    def save(self, name, array):
        """np.save(array) into the directory; returns the file's path."""
        np.save(self.path(name), array)
        return self.path(name)
