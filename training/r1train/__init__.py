"""r1train: make small reasoning students by SFT on teacher traces (data, distillation, SFT/LoRA).

The heavy pieces (torch, TRL, PEFT) are imported only by the modules that train, so
``import r1train`` and ``r1train --help`` stay cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
