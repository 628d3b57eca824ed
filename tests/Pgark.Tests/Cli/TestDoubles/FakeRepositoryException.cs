// The CLI classifies repository errors by their namespace (Pgark.Repository...), so this stand-in lives there.
namespace Pgark.Repository.TestDoubles;

internal sealed class FakeRepositoryException(string message) : Exception(message);
