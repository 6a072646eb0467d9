"""One module per CMS family: ``plan(world)`` adds its reports, ``routes(world, day, bases)`` serves them."""
