"""Which reasoning_gym tasks go into training, and which are held out for out-of-distribution evaluation.

Training-data policy, so it lives with the data builder: the reasoning_gym verifier scores any task of
the installed registry but :data:`verifiers.reasoning_gym.NOT_SCORABLE` (``scorable_tasks()``), and
tests/trainer_client/data/test_gym_tasks.py checks that every name here is one of those.

ProRL trained on Reasoning Gym's logic puzzles and evaluated generalisation on three tasks it never
trained on: ``acre``, ``boxnet`` and ``game_of_life_halting`` (:data:`OOD_HELD_OUT`). We hold those out,
plus ``game_of_life`` (the same simulator, so training on it would leak the held-out skill). The tasks
:mod:`trainer_client.data.procedural_math` turns into ``math`` records are always removed, so one problem
never appears in two domains.
"""

from __future__ import annotations

from trainer_client.data.procedural_math import MATH_TASKS

# The ProRL paper's out-of-distribution Reasoning Gym tasks: never trained on, evaluated only.
OOD_HELD_OUT: tuple[str, ...] = ("acre", "boxnet", "game_of_life_halting")
_LEAKS_OOD = ("game_of_life",)

# Every reasoning-gym 0.1.25 task that generates offline (its data ships in the wheel), minus
# OOD_HELD_OUT and the verifier's NOT_SCORABLE. The paper trains on Reasoning Gym's logic puzzles but its
# per-task list (Table 5) is not available offline, so this is the candidate training pool;
# training_tasks() picks from it. tests/trainer_client/data/test_gym_tasks.py checks it against the
# installed registry.
PRORL_TASKS: tuple[str, ...] = (
    'ab', 'advanced_geometry', 'aiw', 'arc_1d', 'arc_agi', 'base_conversion', 'basic_arithmetic', 'bf',
    'binary_alternation', 'binary_matrix', 'bitwise_arithmetic', 'caesar_cipher', 'calendar_arithmetic',
    'chain_sum', 'circuit_logic', 'codeio', 'coin_flip', 'color_cube_rotation', 'complex_arithmetic',
    'count_bits', 'count_primes', 'countdown', 'course_schedule', 'cryptarithm', 'decimal_arithmetic',
    'decimal_chain_sum', 'dice', 'emoji_mystery', 'family_relationships', 'figlet_font',
    'fraction_simplification', 'futoshiki', 'game_of_life', 'gcd', 'graph_color', 'group_anagrams',
    'gsm_symbolic', 'intermediate_integration', 'isomorphic_strings', 'jugs', 'kakurasu', 'knight_swap',
    'knights_knaves', 'largest_island', 'lcm', 'leg_counting', 'letter_counting', 'letter_jumble',
    'list_functions', 'mahjong_puzzle', 'manipulate_matrix', 'maze', 'mini_sudoku', 'modulo_grid',
    'n_queens', 'needle_haystack', 'number_filtering', 'number_format', 'number_sequence',
    'number_sorting', 'palindrome_generation', 'palindrome_partitioning', 'path_star',
    'polynomial_equations', 'polynomial_multiplication', 'pool_matrix', 'power_function',
    'prime_factorization', 'products', 'propositional_logic', 'puzzle24', 'quantum_lock', 'ransom_note',
    'rearc', 'rectangle_count', 'rotate_matrix', 'rotten_oranges', 'rubiks_cube', 'rush_hour',
    'self_reference', 'sentence_reordering', 'shortest_path', 'simple_equations', 'simple_geometry',
    'simple_integration', 'sokoban', 'spell_backward', 'spiral_matrix', 'string_insertion',
    'string_manipulation', 'string_splitting', 'string_synthesis', 'sudoku', 'survo', 'syllogism',
    'time_intervals', 'tower_of_hanoi', 'tsumego', 'word_ladder', 'word_sequence_reversal',
    'word_sorting', 'zebra_puzzles',
)  # fmt: skip


def ood_held_out() -> tuple[str, ...]:
    """Tasks reserved for out-of-distribution evaluation: never in a training mix."""
    return OOD_HELD_OUT


def training_tasks() -> tuple[str, ...]:
    """The reasoning_gym tasks a training mix draws from (held-out and math tasks are always removed)."""
    held_out = set(OOD_HELD_OUT) | set(_LEAKS_OOD)
    return tuple(t for t in PRORL_TASKS if t not in held_out and t not in MATH_TASKS)
