"""Hello world from inside an ERA microVM: what the guest looks like to the code it runs."""
import os
import platform

print(f"Hello from ERA! Python {platform.python_version()} on Linux {platform.release()},"
      f" {os.cpu_count()} vCPU, running as uid {os.getuid()} in {os.getcwd()}")
