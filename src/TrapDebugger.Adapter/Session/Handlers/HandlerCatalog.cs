namespace TrapDebugger.Adapter.Session.Handlers;

/// <summary>The handlers every session gets; each area adds its own line here as it lands.</summary>
public static class HandlerCatalog
{
    /// <summary>Creates a dispatcher with all implemented handlers registered.</summary>
    public static RequestDispatcher CreateDispatcher()
    {
        var dispatcher = new RequestDispatcher();
        dispatcher.Register(new InitializeHandler());
        dispatcher.Register(new DisconnectHandler());
        dispatcher.Register(new TerminateHandler());
        global::TrapDebugger.Adapter.Handlers.EngineHandlers.Register(dispatcher);
        return dispatcher;
    }
}
