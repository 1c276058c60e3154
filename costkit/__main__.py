from costkit.cli import main

raise SystemExit(main())
