"""The registers an office maintains: offices, units, places and the categories of each kind of case.

Each entry is its own aggregate, and every change to it is an event with its actor and reason; nothing is
edited in place. Where the issue is silent, these are the choices made:

- **Codes.** An entry is named by office, register and code, and its id is ``uuid5`` of those three, so a
  code names one entry forever: a retired or merged entry's code is never given to another. A code is
  exact text (1–64 characters, no white space, no ``/``) and is what records store; names may repeat.
  Categories have one register per kind of case, so ``noise`` of complaints and of disputes are two entries.
- **Time.** An entry is in force from ``active_from`` until, excluding, ``active_to``. A registration may
  say it has been in force since a past moment (to register what older records already name) or will be
  from a future one. Every other change takes effect when it is recorded, except that a retirement may be
  set for a future moment; nothing is backdated, so what a register answered about a moment never changes
  afterwards. ``name_at``, ``parent_at`` and ``limits_at`` give what was recorded last at or before the
  moment, and the first value for any moment before it.
- **Ends.** Retiring sets ``active_to`` (now or later); merging ends the entry now and names the entry it
  was merged into, which records nothing itself. An ended entry takes no further change and is not
  reinstated: a body that returns gets a new code. A retirement once set is not moved.
- **Trees.** A parent is an entry of the same register and office, in force when the child takes effect and
  with no end set; an entry cannot be put under itself or its descendants; an entry with entries under it
  that would outlive it is neither retired nor merged (move or retire them first). Offices have no parent.
  Villages and communities are the top places; a grid cell lies under a village, a community or a cell of
  a coarser grid level (district, then area, then street); a place merges only into its own sort.
- **Offices.** ``default`` is the office of a single-office install and is valid without being registered;
  any other office must be registered and in force for its entries to be registered or found. An office's
  own entry has its code as its office.
- **Time limits.** A category sets a limit (days, and calendar or working days) for any stage of its kind,
  none above the statutory default of :mod:`domain.rules` (never the office's configured table). A limit
  in working days is compared with a statutory limit in calendar days by the most calendar days it spans
  from any day of the years the working-day calendar holds; a limit in calendar days with one in working
  days by its days. A category's limits are its own: a child inherits none, and a stage it sets none for
  runs on the rule table's limit. A change replaces the whole set.
- **Keeping.** The first entry of a register of an office is registered together with the record that
  the office keeps that register (:mod:`.keeping`); from then on the office's records are checked against
  it (:mod:`application.register_checks`). Offices themselves are kept by the deployment, not recorded so.
- **Retries.** A registration records a digest of its request: the same request again answers the entry
  it made; another under the same code is refused.
"""
