// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RoundAnchor
/// @notice Curia's jury rounds, anchored, each value once per round id:
/// - at freeze, the commitment to the round's eligible list (every market with its post and exposure; see
///   curation/src/jury/eligible.ts), written before the round's beacon block is chosen, so the state at the block
///   before the beacon block proves the list was fixed before the beacon's hash existed;
/// - at close, the Merkle root of the round's export (every ballot, the seed, the sample, the tallies; see
///   curation/src/jury/export.ts). Anyone holding an export can recompute both and compare them with these; the
///   operator cannot later swap in others.
/// @dev One storage slot per value (a fresh SSTORE: ~22.1k gas) plus an event: about 46k gas per call.
contract RoundAnchor {
    /// @notice The only account that may anchor. Without this anyone could squat a future round id with a false
    /// root, and write-once would then lock the real one out.
    address public immutable operator;

    /// @notice Round id => export Merkle root; zero means not anchored.
    mapping(uint256 => bytes32) public rootOf;

    /// @notice Round id => commitment to the eligible list; zero means not committed.
    mapping(uint256 => bytes32) public eligibleOf;

    event RoundAnchored(uint256 indexed roundId, bytes32 root);
    event EligibleCommitted(uint256 indexed roundId, bytes32 eligibleHash);

    error NotOperator();
    error ZeroRoot();
    error AlreadyAnchored(uint256 roundId, bytes32 root);
    error AlreadyCommitted(uint256 roundId, bytes32 eligibleHash);

    constructor(address operator_) {
        operator = operator_;
    }

    /// @notice Stores `root` for `roundId`, once. A second call for the same round reverts, even with the same root.
    function anchor(uint256 roundId, bytes32 root) external {
        if (msg.sender != operator) revert NotOperator();
        if (root == bytes32(0)) revert ZeroRoot();
        bytes32 existing = rootOf[roundId];
        if (existing != bytes32(0)) revert AlreadyAnchored(roundId, existing);
        rootOf[roundId] = root;
        emit RoundAnchored(roundId, root);
    }

    /// @notice Stores the eligible list's commitment for `roundId`, once (a second call reverts, even the same hash).
    function commitEligible(uint256 roundId, bytes32 eligibleHash) external {
        if (msg.sender != operator) revert NotOperator();
        if (eligibleHash == bytes32(0)) revert ZeroRoot();
        bytes32 existing = eligibleOf[roundId];
        if (existing != bytes32(0)) revert AlreadyCommitted(roundId, existing);
        eligibleOf[roundId] = eligibleHash;
        emit EligibleCommitted(roundId, eligibleHash);
    }
}
