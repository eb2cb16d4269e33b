from chokepoints.cli import main

main()
