# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of the batch modules besides their list of items. Mirrors fleet_argument_spec() in
    # plugins/module_utils/_fleet.py.
    DOCUMENTATION = r"""
options:
  concurrency:
    description:
      - How many resources are changed at the same time; 1 to 64. Items for the same resource run in order.
    type: int
    default: 10
  rate_limit:
    description:
      - Requests per second the task sends at most, shared by all workers (a token bucket with a burst of one); 0
        means no limit.
      - The default stays well under the API gateway's per-user limits, so a fleet run does not provoke throttling;
        throttling that still happens is retried.
    type: float
    default: 20
  wait:
    description:
      - Wait until every change has ended and verify what is read back against what was asked.
    type: bool
    default: true
notes:
  - Every item is validated and planned before the first change. When any item is wrong, the task fails listing
    every bad item, and nothing is changed.
  - A failed item does not stop the others; the task then fails after every other item was handled, and the result
    says which items changed and which did not (RV(results), RV(totals)).
  - With password authentication, the module logs in once for the whole list.
"""
