import sys

from warehouse.migrations import main

sys.exit(main())
