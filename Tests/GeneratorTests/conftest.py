"""The generator test needs genproj/harness importable and the dev stack's servers running."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
