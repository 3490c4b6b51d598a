using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Messages;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Traps;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Tests;

/// <summary>One JSON sample per model type, every field spelled as debugAdapterProtocol.json spells it.</summary>
public static class SpecSamples
{
    public static TheoryData<Type, string> All { get; } = new()
    {
        // Base protocol.
        { typeof(Request), """{"seq":1,"type":"request","command":"next","arguments":{"threadId":3}}""" },
        { typeof(Response), """{"seq":2,"type":"response","request_seq":1,"success":false,"command":"next","message":"notStopped","body":{"error":{"id":7,"format":"x"}}}""" },
        { typeof(Event), """{"seq":3,"type":"event","event":"stopped","body":{"reason":"exception"}}""" },
        { typeof(ErrorResponseBody), """{"error":{"id":1002,"format":"Unknown request '{cmd}'.","variables":{"cmd":"foo"},"sendTelemetry":false,"showUser":true,"url":"https://example.invalid/help","urlLabel":"Help"}}""" },
        { typeof(Message), """{"id":1,"format":"f","variables":{"a":"b"},"showUser":true}""" },

        // Shared types.
        { typeof(Source), """{"name":"main.c","path":"/src/main.c","sourceReference":0,"presentationHint":"emphasize","origin":"inlined","sources":[{"name":"a.h","path":"/src/a.h"}],"adapterData":{"k":[1,2]},"checksums":[{"algorithm":"SHA256","checksum":"ab12"}]}""" },
        { typeof(Checksum), """{"algorithm":"MD5","checksum":"00ff"}""" },
        { typeof(SourceBreakpoint), """{"line":12,"column":5,"condition":"i > 3","hitCondition":"2","logMessage":"i={i}","mode":"hardware"}""" },
        { typeof(FunctionBreakpoint), """{"name":"main","condition":"argc == 2","hitCondition":"1"}""" },
        { typeof(InstructionBreakpoint), """{"instructionReference":"0x401000","offset":4,"condition":"1","hitCondition":"3","mode":"hardware"}""" },
        { typeof(DataBreakpoint), """{"dataId":"0x7ffd0010/4","accessType":"write","condition":"x == 3","hitCondition":"1"}""" },
        { typeof(Breakpoint), """{"id":1,"verified":true,"message":"moved to line 13","source":{"path":"/src/main.c"},"line":13,"column":3,"endLine":13,"endColumn":9,"instructionReference":"0x401136","offset":0,"reason":"pending"}""" },
        { typeof(ExceptionBreakpointsFilter), """{"filter":"traps","label":"Trap instructions","description":"ud2, ud1, int3","default":true,"supportsCondition":false,"conditionDescription":"none"}""" },
        { typeof(ExceptionFilterOptions), """{"filterId":"signals","condition":"SIGSEGV","mode":"always"}""" },
        { typeof(ExceptionOptions), """{"path":[{"negate":true,"names":["SIGPIPE"]}],"breakMode":"always"}""" },
        { typeof(ExceptionPathSegment), """{"negate":false,"names":["SIGILL","SIGTRAP"]}""" },
        { typeof(BreakpointMode), """{"mode":"hardware","label":"Hardware","description":"Uses a debug register","appliesTo":["source","instruction"]}""" },
        { typeof(StackFrame), """{"id":1000,"name":"main","source":{"path":"/src/main.c"},"line":7,"column":3,"endLine":7,"endColumn":20,"canRestart":false,"instructionPointerReference":"0x401136","moduleId":"1","presentationHint":"subtle"}""" },
        { typeof(StackFrameFormat), """{"hex":true,"parameters":true,"parameterTypes":true,"parameterNames":true,"parameterValues":false,"line":true,"module":true,"includeAll":true}""" },
        { typeof(ValueFormat), """{"hex":true}""" },
        { typeof(Scope), """{"name":"Locals","presentationHint":"locals","variablesReference":5,"namedVariables":3,"indexedVariables":0,"expensive":false,"source":{"path":"/src/main.c"},"line":3,"column":1,"endLine":9,"endColumn":2}""" },
        { typeof(Variable), """{"name":"v","value":"{size=3}","type":"std::vector<int>","presentationHint":{"kind":"data","attributes":["readOnly"],"visibility":"public","lazy":false},"evaluateName":"v","variablesReference":7,"namedVariables":1,"indexedVariables":3,"memoryReference":"0x7ffd1230","declarationLocationReference":2,"valueLocationReference":3}""" },
        { typeof(VariablePresentationHint), """{"kind":"property","attributes":["static","constant"],"visibility":"private","lazy":true}""" },
        { typeof(DapThread), """{"id":4242,"name":"worker-1"}""" },
        { typeof(Module), """{"id":"2","name":"libc.so.6","path":"/lib/x86_64-linux-gnu/libc.so.6","isOptimized":true,"isUserCode":false,"version":"2.36","symbolStatus":"Symbols loaded.","symbolFilePath":"/usr/lib/debug/.build-id/ab/cd.debug","dateTimeStamp":"0","addressRange":"0x7f0000000000-0x7f00001f0000"}""" },
        { typeof(ColumnDescriptor), """{"attributeName":"buildId","label":"Build ID","format":"{0}","type":"string","width":40}""" },
        { typeof(DisassembledInstruction), """{"address":"0x401136","instructionBytes":"0f 0b","instruction":"ud2","symbol":"main+22","location":{"path":"/src/main.c"},"line":7,"column":3,"endLine":7,"endColumn":4,"presentationHint":"normal"}""" },
        { typeof(ExceptionDetails), """{"message":"Out of bounds","typeName":"verbose trap","fullTypeName":"__clang_trap_msg","evaluateName":"$trap","stackTrace":"#0 main","innerException":[{"message":"check at main.c:7"}]}""" },
        { typeof(Capabilities), """{"supportsConfigurationDoneRequest":true,"supportsFunctionBreakpoints":true,"supportsConditionalBreakpoints":true,"supportsHitConditionalBreakpoints":true,"supportsEvaluateForHovers":true,"exceptionBreakpointFilters":[{"filter":"traps","label":"Traps"}],"supportsStepBack":false,"supportsSetVariable":true,"supportsRestartFrame":false,"supportsGotoTargetsRequest":false,"supportsStepInTargetsRequest":false,"supportsCompletionsRequest":false,"completionTriggerCharacters":["."],"supportsModulesRequest":true,"additionalModuleColumns":[{"attributeName":"a","label":"A"}],"supportedChecksumAlgorithms":["SHA256"],"supportsRestartRequest":false,"supportsExceptionOptions":false,"supportsValueFormattingOptions":true,"supportsExceptionInfoRequest":true,"supportTerminateDebuggee":true,"supportSuspendDebuggee":false,"supportsDelayedStackTraceLoading":true,"supportsLoadedSourcesRequest":true,"supportsLogPoints":false,"supportsTerminateThreadsRequest":false,"supportsSetExpression":false,"supportsTerminateRequest":true,"supportsDataBreakpoints":true,"supportsReadMemoryRequest":true,"supportsWriteMemoryRequest":true,"supportsDisassembleRequest":true,"supportsCancelRequest":true,"supportsBreakpointLocationsRequest":false,"supportsClipboardContext":true,"supportsSteppingGranularity":true,"supportsInstructionBreakpoints":true,"supportsExceptionFilterOptions":true,"supportsSingleThreadExecutionRequests":false,"supportsDataBreakpointBytes":true,"breakpointModes":[{"mode":"m","label":"M","appliesTo":["source"]}],"supportsANSIStyling":true}""" },

        // Request arguments and response bodies.
        { typeof(InitializeRequestArguments), """{"clientID":"vscode","clientName":"Visual Studio Code","adapterID":"trapdbg","locale":"en","linesStartAt1":true,"columnsStartAt1":true,"pathFormat":"path","supportsVariableType":true,"supportsVariablePaging":true,"supportsRunInTerminalRequest":true,"supportsMemoryReferences":true,"supportsProgressReporting":true,"supportsInvalidatedEvent":true,"supportsMemoryEvent":true,"supportsArgsCanBeInterpretedByShell":true,"supportsStartDebuggingRequest":true,"supportsANSIStyling":true,"trapdbgAuthToken":"t0k"}""" },
        { typeof(LaunchRequestArguments), """{"noDebug":false,"__restart":{"n":1},"program":"/tmp/a.out","args":["-v","x y"],"cwd":"/tmp","env":{"A":"1","UNSET":null},"stopOnEntry":true,"disableASLR":false,"sourceMap":{"/build":"/src"},"console":"integratedTerminal","terminal":"integrated","runInTerminal":true,"stdio":["in.txt",null,{"not":"checked here"}],"envFile":".env","initCommands":["help"],"preRunCommands":["info sharedlibrary"],"stopCommands":["bt 5"],"commandEscapePrefix":"`","relativePathBase":"/src"}""" },
        { typeof(RunInTerminalRequestArguments), """{"kind":"integrated","title":"TrapDebugger: a.out","cwd":"/tmp","args":["/bin/sh","/tmp/agent.sh","42"],"env":{"TERM":"xterm","GONE":null},"argsCanBeInterpretedByShell":false}""" },
        { typeof(RunInTerminalResponseBody), """{"processId":4321,"shellProcessId":4300}""" },
        { typeof(CompletionsArguments), """{"frameId":1000,"text":"node->ne","column":9,"line":1}""" },
        { typeof(CompletionsResponseBody), """{"targets":[{"label":"next","text":"next","sortText":"next","detail":"node *","type":"property","start":7,"length":2}]}""" },
        { typeof(CompletionItem), """{"label":"info registers","text":"info registers","detail":"Print the general registers.","type":"keyword","start":2,"length":4}""" },
        { typeof(AttachRequestArguments), """{"__restart":[1],"pid":1234,"program":"/usr/bin/service","waitFor":false,"stopOnEntry":false,"sourceMap":{"/build":"/src","/b2":"/s2"}}""" },
        { typeof(DisconnectArguments), """{"restart":false,"terminateDebuggee":true,"suspendDebuggee":false}""" },
        { typeof(TerminateArguments), """{"restart":true}""" },
        { typeof(CancelArguments), """{"requestId":17,"progressId":"p1"}""" },
        { typeof(SetBreakpointsArguments), """{"source":{"path":"/src/main.c"},"breakpoints":[{"line":7},{"line":9,"condition":"x"}],"lines":[7,9],"sourceModified":false}""" },
        { typeof(BreakpointsResponseBody), """{"breakpoints":[{"id":1,"verified":true,"line":7},{"verified":false,"message":"No code at this line.","reason":"failed"}]}""" },
        { typeof(SetFunctionBreakpointsArguments), """{"breakpoints":[{"name":"abort"},{"name":"main","condition":"argc>1"}]}""" },
        { typeof(SetInstructionBreakpointsArguments), """{"breakpoints":[{"instructionReference":"0x401000","offset":-2}]}""" },
        { typeof(SetExceptionBreakpointsArguments), """{"filters":["traps","signals"],"filterOptions":[{"filterId":"signals","condition":"SIGSEGV"}],"exceptionOptions":[{"breakMode":"unhandled"}]}""" },
        { typeof(SetExceptionBreakpointsResponseBody), """{"breakpoints":[{"verified":true}]}""" },
        { typeof(DataBreakpointInfoArguments), """{"variablesReference":5,"name":"counter","frameId":1000,"bytes":8,"asAddress":false,"mode":"hardware"}""" },
        { typeof(DataBreakpointInfoResponseBody), """{"dataId":null,"description":"counter lives in a register","accessTypes":["write","readWrite"],"canPersist":false}""" },
        { typeof(SetDataBreakpointsArguments), """{"breakpoints":[{"dataId":"0x7ffd0010/8","accessType":"readWrite"}]}""" },
        { typeof(ContinueArguments), """{"threadId":1,"singleThread":false}""" },
        { typeof(ContinueResponseBody), """{"allThreadsContinued":true}""" },
        { typeof(NextArguments), """{"threadId":1,"singleThread":true,"granularity":"instruction"}""" },
        { typeof(StepInArguments), """{"threadId":1,"singleThread":false,"targetId":3,"granularity":"line"}""" },
        { typeof(StepOutArguments), """{"threadId":1,"singleThread":false,"granularity":"statement"}""" },
        { typeof(PauseArguments), """{"threadId":9}""" },
        { typeof(ThreadsResponseBody), """{"threads":[{"id":1,"name":"main"},{"id":2,"name":"worker"}]}""" },
        { typeof(StackTraceArguments), """{"threadId":1,"startFrame":20,"levels":20,"format":{"hex":false,"parameters":true,"module":true}}""" },
        { typeof(StackTraceResponseBody), """{"stackFrames":[{"id":1,"name":"[libc frames]","line":0,"column":0,"presentationHint":"label"},{"id":2,"name":"main","line":7,"column":3,"instructionPointerReference":"0x401136","moduleId":"0"}],"totalFrames":42}""" },
        { typeof(ScopesArguments), """{"frameId":1000}""" },
        { typeof(ScopesResponseBody), """{"scopes":[{"name":"Locals","variablesReference":1,"expensive":false},{"name":"Registers","presentationHint":"registers","variablesReference":2,"expensive":true}]}""" },
        { typeof(VariablesArguments), """{"variablesReference":7,"filter":"indexed","start":100,"count":100,"format":{"hex":true}}""" },
        { typeof(VariablesResponseBody), """{"variables":[{"name":"[0]","value":"1","type":"int","evaluateName":"v[0]","variablesReference":0,"memoryReference":"0x55550000"}]}""" },
        { typeof(SetVariableArguments), """{"variablesReference":1,"name":"i","value":"42","format":{"hex":false}}""" },
        { typeof(SetVariableResponseBody), """{"value":"42","type":"int","variablesReference":0,"namedVariables":0,"indexedVariables":0,"memoryReference":"0x7ffd0000","valueLocationReference":1}""" },
        { typeof(EvaluateArguments), """{"expression":"v.size()","frameId":1000,"line":7,"column":5,"source":{"path":"/src/main.c"},"context":"clipboard","format":{"hex":false}}""" },
        { typeof(EvaluateResponseBody), """{"result":"3","type":"size_t","presentationHint":{"kind":"data"},"variablesReference":0,"namedVariables":0,"indexedVariables":0,"memoryReference":"0x1000","valueLocationReference":4}""" },
        { typeof(ExceptionInfoArguments), """{"threadId":1}""" },
        { typeof(ExceptionInfoResponseBody), """{"exceptionId":"verbose-trap","description":"libc++: out-of-bounds access","breakMode":"always","details":{"message":"out-of-bounds access","typeName":"libc++"}}""" },
        { typeof(ModulesArguments), """{"startModule":0,"moduleCount":10}""" },
        { typeof(ModulesResponseBody), """{"modules":[{"id":"0","name":"a.out","path":"/tmp/a.out"}],"totalModules":1}""" },
        { typeof(LoadedSourcesArguments), """{}""" },
        { typeof(LoadedSourcesResponseBody), """{"sources":[{"name":"main.c","path":"/src/main.c"}]}""" },
        { typeof(SourceArguments), """{"source":{"sourceReference":3},"sourceReference":3}""" },
        { typeof(SourceResponseBody), """{"content":"int main() {}\n","mimeType":"text/x-c"}""" },
        { typeof(DisassembleArguments), """{"memoryReference":"0x401136","offset":0,"instructionOffset":-10,"instructionCount":50,"resolveSymbols":true}""" },
        { typeof(DisassembleResponseBody), """{"instructions":[{"address":"0x401136","instructionBytes":"0f 0b","instruction":"ud2"},{"address":"0x401138","instruction":"??","presentationHint":"invalid"}]}""" },
        { typeof(ReadMemoryArguments), """{"memoryReference":"0x7ffd0000","offset":16,"count":64}""" },
        { typeof(ReadMemoryResponseBody), """{"address":"0x7ffd0010","unreadableBytes":0,"data":"AAECAw=="}""" },
        { typeof(WriteMemoryArguments), """{"memoryReference":"0x7ffd0000","offset":0,"allowPartial":true,"data":"AAECAw=="}""" },
        { typeof(WriteMemoryResponseBody), """{"offset":0,"bytesWritten":4}""" },

        // Event bodies.
        { typeof(StoppedEventBody), """{"reason":"exception","description":"Out of bounds (libc++)","threadId":1,"preserveFocusHint":false,"text":"verbose trap","allThreadsStopped":true,"hitBreakpointIds":[1,2]}""" },
        { typeof(ContinuedEventBody), """{"threadId":1,"allThreadsContinued":true}""" },
        { typeof(ThreadEventBody), """{"reason":"started","threadId":4243}""" },
        { typeof(ModuleEventBody), """{"reason":"new","module":{"id":"3","name":"libm.so.6"}}""" },
        { typeof(BreakpointEventBody), """{"reason":"changed","breakpoint":{"id":1,"verified":true,"line":8}}""" },
        { typeof(OutputEventBody), """{"category":"stdout","output":"hello\n","group":"start","variablesReference":0,"source":{"path":"/src/main.c"},"line":3,"column":1,"data":{"x":1},"locationReference":5}""" },
        { typeof(ProcessEventBody), """{"name":"/tmp/a.out","systemProcessId":4242,"isLocalProcess":true,"startMethod":"launch","pointerSize":8}""" },
        { typeof(ExitedEventBody), """{"exitCode":132}""" },
        { typeof(TerminatedEventBody), """{"restart":{"pid":1}}""" },
        { typeof(InvalidatedEventBody), """{"areas":["stacks","variables"],"threadId":1,"stackFrameId":1000}""" },

        // TrapDebugger extensions (docs/dap-extensions.md).
        { typeof(TrapSitesArguments), """{"module":"0","program":"/tmp/a.out"}""" },
        { typeof(TrapSitesResponseBody), """{"sites":[{"address":"0x401136","module":"/tmp/a.out","function":"main","kind":"ud2","category":"libc++","message":"out-of-bounds","messageSource":"recovered","merged":true,"checkCount":2,"source":{"path":"/src/main.cpp"},"line":0,"checks":[{"address":"0x401120","source":{"path":"/src/main.cpp"},"line":7,"column":9,"category":"libc++","message":"out-of-bounds","messageSource":"recovered","inlinedFrom":"std::vector<int>::operator[]"}]}]}""" },
        { typeof(TrapSiteInfo), """{"address":"0x401000","module":"/tmp/a.out","function":"f","kind":"ud1","messageSource":"none","merged":false,"checkCount":0,"checks":[]}""" },
        { typeof(TrapCheckInfo), """{"address":"0x401000","line":3,"messageSource":"dwarf"}""" },
        { typeof(TrapOriginsArguments), """{"threadId":4242}""" },
        { typeof(TrapOriginsResponseBody), """{"kind":"merged-trap","description":"One of 2 checks in main failed.","origins":[{"rank":1,"address":"0x401120","source":{"path":"/src/main.cpp"},"line":7,"column":9,"category":"libc++","message":"out-of-bounds","messageSource":"recovered","condition":"holds","evidence":"rax=10 >= rcx=10","inlinedFrom":"std::vector<int>::operator[]"}]}""" },
        { typeof(TrapOriginInfo), """{"rank":2,"address":"0x401128","messageSource":"none","condition":"doesNotHold"}""" },
    };
}
